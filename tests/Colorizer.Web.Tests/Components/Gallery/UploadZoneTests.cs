using Bunit;
using Colorizer.Web.Components.Gallery;
using Microsoft.AspNetCore.Components.Forms;

namespace Colorizer.Web.Tests.Components.Gallery;

public sealed class UploadZoneTests : ComponentTestBase
{
    private const string Hint = "JPEG, PNG, WebP, BMP or TIFF · up to 25 MB and 40 megapixels each";
    private const string PasteSelector = "#upload-zone input[type=file]";

    private readonly List<IReadOnlyList<IBrowserFile>> _selections = [];

    private IRenderedComponent<UploadZone> RenderZone(bool disabled = false) =>
        Context.Render<UploadZone>(p => p
            .Add(z => z.Hint, Hint)
            .Add(z => z.Disabled, disabled)
            .Add(z => z.FilesSelected, files => _selections.Add(files)));

    [Fact]
    public void Render_ShowsTheDropZoneWithItsHint()
    {
        var zone = RenderZone().Find(".upload-zone");

        Assert.Equal("Drop black-and-white photos here", zone.QuerySelector("h2.upload-fine")?.TextContent.Trim());
        // A touch screen has no drop or paste: there the zone leads with the button (the style sheet shows one or the other).
        Assert.Equal("Colorize black-and-white photos", zone.QuerySelector("h2.upload-touch")?.TextContent.Trim());
        Assert.Contains("upload-fine", zone.QuerySelectorAll("p, span, div").First(e => e.TextContent.Trim() == "or paste one (Ctrl+V), or").ClassName);
        Assert.Contains("or paste one (Ctrl+V), or", zone.TextContent);
        Assert.Equal("Choose photos", zone.QuerySelector("button")?.TextContent.Trim());
        Assert.Contains(Hint, zone.TextContent);
    }

    [Fact]
    public void FileInput_AcceptsTheFiveFormatsAndSeveralFiles()
    {
        var input = RenderZone().Find("input[type=file]");

        var accepted = (input.GetAttribute("accept") ?? "").Split(',');
        Assert.Subset(accepted.ToHashSet(), new HashSet<string>
        {
            ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff",
            "image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff",
        });
        Assert.True(input.HasAttribute("multiple"));
        Assert.False(input.HasAttribute("disabled"));
        Assert.False(RenderZone().Find("button.upload-button").HasAttribute("disabled"));
    }

    [Fact]
    public void FirstRender_ListensForPastesIntoItsOwnFileInput()
    {
        var cut = RenderZone();

        var invocation = Context.JSInterop.VerifyInvoke("colorizer.initPaste");
        var selector = Assert.IsType<string>(Assert.Single(invocation.Arguments));
        Assert.Equal(PasteSelector, selector);
        Assert.Equal(cut.Find("input[type=file]").Id, Assert.Single(cut.FindAll(selector)).Id);
    }

    [Fact]
    public async Task Disposing_StopsListeningForPastes()
    {
        var paste = Context.JSInterop.SetupModule(i => i.Identifier == "colorizer.initPaste");
        paste.SetupVoid("dispose").SetVoidResult();
        RenderZone();

        await Context.DisposeComponentsAsync();

        paste.VerifyInvoke("dispose");
    }

    [Fact]
    public void Disabled_DisablesTheInputAndTheButton()
    {
        var cut = RenderZone(disabled: true);

        Assert.True(cut.Find("input[type=file]").HasAttribute("disabled"));
        Assert.True(cut.Find("button.upload-button").HasAttribute("disabled"));
    }

    [Fact]
    public void SelectingFiles_RaisesFilesSelectedWithThem()
    {
        var cut = RenderZone();
        byte[] first = [0xFF, 0xD8, 0xFF, 0xE0], second = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A];

        cut.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(first, fileName: "wedding.jpg", contentType: "image/jpeg"),
            InputFileContent.CreateFromBinary(second, fileName: "street.png", contentType: "image/png"));

        var files = Assert.Single(_selections);
        Assert.Equal(["wedding.jpg", "street.png"], files.Select(f => f.Name));
        Assert.Equal(["image/jpeg", "image/png"], files.Select(f => f.ContentType));
        Assert.Equal([4L, 6L], files.Select(f => f.Size));
    }

    [Fact]
    public async Task SelectedFile_CanBeReadBack()
    {
        var cut = RenderZone();
        byte[] content = [1, 2, 3, 4, 5, 6, 7, 8];

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(content, fileName: "scan.tiff", contentType: "image/tiff"));

        using var copy = new MemoryStream();
        await using (var stream = Assert.Single(Assert.Single(_selections)).OpenReadStream())
            await stream.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public void FileInput_IsHiddenUntilSomethingIsDragged()
    {
        var cut = RenderZone();

        Assert.True(cut.Find("input[type=file]").HasAttribute("hidden"));
        Assert.DoesNotContain("dragging", cut.Find(".upload-zone").ClassList);
    }

    // A drag first enters the visible zone (the hidden input cannot receive events); the zone must then uncover the
    // transparent input laid over it, or the drop lands on the page and the browser opens the photo instead.
    [Fact]
    public void DragEnteringTheZone_UncoversTheFileInputAndHighlightsTheZone()
    {
        var cut = RenderZone();

        cut.Find(".upload-zone h2").DragEnter();

        var input = cut.Find("input[type=file]");
        Assert.False(input.HasAttribute("hidden"));
        Assert.Contains("mud-file-upload-dragover", input.ClassList);
        Assert.Contains("dragging", cut.Find(".upload-zone").ClassList);
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("dragleave")]
    [InlineData("dragend")]
    public void DragEndingOnTheInput_HidesItAgainAndClearsTheHighlight(string ending)
    {
        var cut = RenderZone();
        cut.Find(".upload-zone").DragEnter();
        cut.Find("input[type=file]").DragEnter();

        var input = cut.Find("input[type=file]");
        switch (ending)
        {
            case "drop": input.Drop(); break;
            case "dragleave": input.DragLeave(); break;
            default: input.DragEnd(); break;
        }

        Assert.True(cut.Find("input[type=file]").HasAttribute("hidden"));
        Assert.DoesNotContain("dragging", cut.Find(".upload-zone").ClassList);
    }

    [Fact]
    public void Disabled_IgnoresDrags()
    {
        var cut = RenderZone(disabled: true);

        cut.Find(".upload-zone").DragEnter();

        Assert.True(cut.Find("input[type=file]").HasAttribute("hidden"));
        Assert.DoesNotContain("dragging", cut.Find(".upload-zone").ClassList);
    }

    [Fact]
    public void DroppedFiles_AreSelectedAndTheZoneSettles()
    {
        var cut = RenderZone();
        cut.Find(".upload-zone").DragEnter();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([0xFF, 0xD8], fileName: "dropped.jpg", contentType: "image/jpeg"));
        cut.Find("input[type=file]").Drop();

        Assert.Equal("dropped.jpg", Assert.Single(Assert.Single(_selections)).Name);
        Assert.True(cut.Find("input[type=file]").HasAttribute("hidden"));
        Assert.DoesNotContain("dragging", cut.Find(".upload-zone").ClassList);
    }
}
