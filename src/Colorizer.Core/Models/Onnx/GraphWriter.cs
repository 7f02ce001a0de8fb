namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// Collects the fields of an ONNX <c>GraphProto</c> and writes the whole <c>ModelProto</c> into one array of exactly
/// its size. Small fields (nodes, value infos, batch-norm tensors) are encoded at once; a weight tensor is kept as its
/// encoded header plus the place of its packed floats in the .caffemodel, which are copied from the file straight into
/// the model. So the weights are held once while the model is built, never as floats and then again as bytes.
/// </summary>
internal sealed class GraphWriter(FileStream weights)
{
    private readonly List<(byte[] Encoded, LayerBlob? Data)> _segments = [];

    /// <summary>A string field of the graph (its name: field 2).</summary>
    public void String(int field, string value) => _segments.Add((new ProtoWriter().String(field, value).WrittenSpan.ToArray(), null));

    /// <summary>A message field of the graph (node = 1, initializer = 5, input = 11, output = 12).</summary>
    public void Message(int field, Action<ProtoWriter> build) =>
        _segments.Add((new ProtoWriter().Message(field, build).WrittenSpan.ToArray(), null));

    /// <summary>An initializer (graph field 5) whose float values are those of <paramref name="blob"/>, in its shape.</summary>
    public void Initializer(string name, LayerBlob blob)
    {
        if (blob.Values is not null)
        {
            Message(5, t =>
            {
                OnnxGraphBuilder.TensorHeader(t, name, blob.Shape);
                t.Bytes(9, System.Runtime.InteropServices.MemoryMarshal.AsBytes(blob.Values.AsSpan()));
            });
            return;
        }
        var header = new ProtoWriter();
        OnnxGraphBuilder.TensorHeader(header, name, blob.Shape);
        var rawDataPrefix = new ProtoWriter().LengthPrefix(9, blob.DataBytes);
        long tensorLength = header.Length + rawDataPrefix.Length + (long)blob.DataBytes;
        var encoded = new ProtoWriter().LengthPrefix(5, tensorLength);
        encoded.Raw(header.WrittenSpan);
        encoded.Raw(rawDataPrefix.WrittenSpan);
        _segments.Add((encoded.WrittenSpan.ToArray(), blob));
    }

    /// <summary>The model: <paramref name="header"/> (the ModelProto's own fields), then the graph (field 7).</summary>
    public byte[] ToModel(ProtoWriter header)
    {
        long graphLength = _segments.Sum(s => s.Encoded.Length + (long)(s.Data?.DataBytes ?? 0));
        var graphPrefix = new ProtoWriter().LengthPrefix(7, graphLength);
        long total = header.Length + graphPrefix.Length + graphLength;
        if (total > Array.MaxLength)
            throw new InvalidOperationException($"The ONNX model would be {total:N0} bytes, more than one array holds.");
        var model = new byte[total];
        int at = 0;
        void Put(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(model.AsSpan(at));
            at += bytes.Length;
        }
        Put(header.WrittenSpan);
        Put(graphPrefix.WrittenSpan);
        foreach (var (encoded, data) in _segments)
        {
            Put(encoded);
            if (data is not null)
            {
                weights.Position = data.DataOffset;
                weights.ReadExactly(model.AsSpan(at, data.DataBytes));
                at += data.DataBytes;
            }
        }
        return model;
    }
}
