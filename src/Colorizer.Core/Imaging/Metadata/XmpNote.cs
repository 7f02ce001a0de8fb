using System.Globalization;
using XmpCore;
using XmpCore.Options;

namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// The XMP packet of a result: the input's own (when kept) with the colorized note added, through Adobe's XMP toolkit
/// (XmpCore), so that a packet with any namespaces and structures is carried over intact.
/// </summary>
internal static class XmpNote
{
    /// <summary>Colorizer's own properties.</summary>
    public const string Namespace = "urn:colorizer:xmp:1.0/";

    public const string Prefix = "colorizer";

    private const string XmpMm = "http://ns.adobe.com/xap/1.0/mm/";
    private const string ResourceEvent = "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#";
    private const string Exif = "http://ns.adobe.com/exif/1.0/";
    private const string Tiff = "http://ns.adobe.com/tiff/1.0/";

    static XmpNote()
    {
        XmpMetaFactory.SchemaRegistry.RegisterNamespace(Namespace, Prefix);
    }

    /// <summary>
    /// The packet to write: <paramref name="source"/> (null for none; a packet that does not parse is replaced) with its
    /// orientation set to 1, GPS properties removed when <paramref name="stripLocation"/>, and the note.
    /// </summary>
    public static string Build(string? source, ColorizationMark mark, bool stripLocation)
    {
        var xmp = Parse(source) ?? XmpMetaFactory.Create();
        if (xmp.DoesPropertyExist(Tiff, "Orientation"))
            xmp.SetProperty(Tiff, "Orientation", "1");
        if (stripLocation)
            RemoveGps(xmp);

        string when = mark.When.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        xmp.SetPropertyBoolean(Namespace, "Colorized", true);
        xmp.SetProperty(Namespace, "ColorizedAt", when);
        xmp.SetProperty(Namespace, "Software", mark.Software);
        xmp.SetProperty(Namespace, "Model", mark.Model);
        xmp.SetProperty(Namespace, "Options", mark.Options);
        xmp.SetPropertyInteger(Namespace, "Hints", mark.Hints);
        xmp.SetPropertyBoolean(Namespace, "ReferencePhoto", mark.ReferencePhoto);
        xmp.SetProperty(Namespace, "Restoration", mark.Restoration);

        // The standard edit history too, which general tools (exiftool, digiKam, Lightroom) show. No stEvt:changed: its
        // usual value "/" breaks ImageMagick 6's XML parser, and it is optional.
        xmp.AppendArrayItem(XmpMm, "History", new PropertyOptions { IsArrayOrdered = true }, null, new PropertyOptions { IsStruct = true });
        string last = $"History[{xmp.CountArrayItems(XmpMm, "History")}]";
        xmp.SetStructField(XmpMm, last, ResourceEvent, "action", "edited");
        xmp.SetStructField(XmpMm, last, ResourceEvent, "when", when);
        xmp.SetStructField(XmpMm, last, ResourceEvent, "softwareAgent", mark.Software);
        xmp.SetStructField(XmpMm, last, ResourceEvent, "parameters", $"colorized with {mark.Model}; {mark.Options}");

        string packet = XmpMetaFactory.SerializeToString(xmp, new SerializeOptions { UseCompactFormat = true, Padding = 0, OmitPacketWrapper = false });
        // The toolkit starts the string with a byte-order mark; the packet's own marker (in <?xpacket begin=...?>) is the
        // one XMP wants, and readers warn about one before it.
        return packet.TrimStart('\uFEFF');
    }

    // An input's packet larger than this is not carried over (real ones are kilobytes; Extended XMP is not read).
    private const int MaxSourceLength = 1 << 20;

    private static IXmpMeta? Parse(string? source)
    {
        if (string.IsNullOrWhiteSpace(source) || source.Length > MaxSourceLength)
            return null;
        // XMP has no place for a DTD; one in an upload can only be an entity-expansion bomb for the XML parser.
        if (source.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) || source.Contains("<!ENTITY", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            return XmpMetaFactory.ParseFromString(source);
        }
        catch (XmpException)
        {
            return null;
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static void RemoveGps(IXmpMeta xmp)
    {
        var names = new List<string>();
        foreach (var property in xmp.Properties)
        {
            if (property.Namespace == Exif && property.Path is { } path && !path.Contains('/') && !path.Contains('[')
                && path.Contains(":GPS", StringComparison.Ordinal))
                names.Add(path[(path.IndexOf(':') + 1)..]);
        }
        foreach (var name in names)
            xmp.DeleteProperty(Exif, name);
    }
}
