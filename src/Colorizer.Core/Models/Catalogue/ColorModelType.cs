namespace Colorizer.Core.Models.Catalogue;

/// <summary>The kinds of colorization network Colorizer can run, each with its own input and output contract.</summary>
public enum ColorModelType
{
    /// <summary>
    /// Zhang, Isola and Efros (ECCV 2016): L − 50 in, 313 logits per 4×4 cell out. The only type with a colour
    /// distribution (vividness, likely colours).
    /// </summary>
    Eccv16,

    /// <summary>
    /// DDColor (ONNX): the RGB image of the lightness alone (a = b = 0), 0–1, as <c>[1, 3, S, S]</c> in; a and b in
    /// OpenCV's float Lab units as <c>[1, 2, S, S]</c> out.
    /// </summary>
    DDColor,

    /// <summary>
    /// DeOldify (ONNX): the grey image replicated to RGB, 0–255, as <c>[1, 3, S, S]</c> in; an RGB image in 0–255 as
    /// <c>[1, 3, S, S]</c> out, of which only the chroma is kept.
    /// </summary>
    DeOldify,
}
