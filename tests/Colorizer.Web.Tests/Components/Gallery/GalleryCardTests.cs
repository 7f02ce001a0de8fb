using Bunit;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Web.Colorization;
using Colorizer.Web.Components.Gallery;
using Microsoft.JSInterop;

namespace Colorizer.Web.Tests.Components.Gallery;

public sealed class GalleryCardTests : ComponentTestBase
{
    /// <summary>The gallery the test cards are in (their preview URLs name it).</summary>
    internal const string GalleryKey = "0123456789abcdef0123456789abcdef";

    /// <summary>Previews whose bytes are only marks: the card shows them by URL and never reads them.</summary>
    internal static PreviewImage Original => PreviewImage.FromBytes("ORIGINAL"u8.ToArray(), "image/png");

    internal static PreviewImage Result => PreviewImage.FromBytes("RESULT"u8.ToArray(), "image/png");

    /// <summary>The URL a card shows <paramref name="kind"/> of <paramref name="item"/> at: its gallery, its id, the kind and the preview's version.</summary>
    internal static string Url(GalleryItem item, PreviewKind kind) =>
        $"gallery/{GalleryKey}/{item.Id}/{PreviewImage.UrlName(kind)}?v={item.Preview(kind)!.Version}";

    private readonly List<GalleryItem> _cancelled = [], _removed = [];
    private readonly List<(GalleryItem Item, double Temperature, double Saturation)> _styles = [];
    private readonly List<(GalleryItem Item, int RenderSize)> _sizes = [];
    private readonly List<(GalleryItem Item, OutputFormat Format)> _downloads = [];

    private static GalleryItem Item(GalleryItemStatus status, string fileName = "grandpa 1938.jpg") => new(fileName) { Status = status };

    internal static GalleryItem DoneItem(string fileName = "grandpa 1938.jpg") => new(fileName)
    {
        Status = GalleryItemStatus.Done,
        OriginalPreview = Original,
        ResultPreview = Result,
        Width = 1600,
        Height = 1200,
        GalleryKey = GalleryKey,
    };

    private IRenderedComponent<GalleryCard> RenderCard(GalleryItem item) =>
        Context.Render<GalleryCard>(p => p
            .Add(c => c.Item, item)
            .Add(c => c.OnCancel, i => _cancelled.Add(i))
            .Add(c => c.OnRemove, i => _removed.Add(i))
            .Add(c => c.OnStyleChanged, s => _styles.Add(s))
            .Add(c => c.OnRenderSizeChanged, s => _sizes.Add(s))
            .Add(c => c.OnDownload, d => _downloads.Add(d)));

    private static string StateText(IRenderedComponent<GalleryCard> cut) => cut.Find("[data-testid=state]").TextContent.Trim();

    [Theory]
    [InlineData(GalleryItemStatus.Uploading, "uploading")]
    [InlineData(GalleryItemStatus.Waiting, "waiting")]
    [InlineData(GalleryItemStatus.Running, "running")]
    [InlineData(GalleryItemStatus.Done, "done")]
    [InlineData(GalleryItemStatus.Failed, "failed")]
    [InlineData(GalleryItemStatus.Cancelled, "cancelled")]
    public void Card_ExposesItsStatusAsDataStatus(GalleryItemStatus status, string expected)
    {
        var item = status == GalleryItemStatus.Done ? DoneItem() : Item(status);

        var card = RenderCard(item).Find("[data-testid=gallery-item]");

        Assert.Equal(expected, card.GetAttribute("data-status"));
    }

    [Fact]
    public void Card_NamesTheFile()
    {
        var name = RenderCard(Item(GalleryItemStatus.Running)).Find(".file-name");

        Assert.Equal("grandpa 1938.jpg", name.TextContent);
        Assert.Equal("grandpa 1938.jpg", name.GetAttribute("title"));
    }

    [Fact]
    public void WaitingItem_ShowsItsPlaceInLine()
    {
        var item = Item(GalleryItemStatus.Waiting);
        item.QueuePosition = 2;

        var cut = RenderCard(item);

        Assert.Equal("Waiting: number 2 in line", StateText(cut));
        Assert.Single(cut.FindAll("[role=progressbar]"));
        Assert.Empty(cut.FindAll("[data-testid=compare]"));
    }

    [Fact]
    public void UploadingItem_ShowsItsPercentageAndItsPlaceInTheTab()
    {
        var item = Item(GalleryItemStatus.Uploading);
        item.UploadSize = 44_000_000;
        item.UploadStarted = true;
        item.UploadedBytes = 18_480_000;
        item.TabPosition = 1;

        var cut = RenderCard(item);

        Assert.Equal("Uploading… 42 % · number 1 in this tab", StateText(cut));
        var bar = cut.Find("[role=progressbar]");
        Assert.Equal("42", bar.GetAttribute("aria-valuenow"));
        Assert.Equal("uploading", cut.Find("[data-testid=gallery-item]").GetAttribute("data-status"));

        item.UploadedBytes = 44_000_000;
        cut.Render();
        Assert.Equal("100", cut.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void ItemWhoseUploadHasNotStarted_SaysItWaitsToUploadAndWhenItWillRun()
    {
        var item = Item(GalleryItemStatus.Uploading);
        item.UploadSize = 1000;
        item.TabPosition = 4;

        var cut = RenderCard(item);

        Assert.Equal("Waiting to upload · number 4 in this tab", StateText(cut));
        Assert.Equal("0", cut.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void UploadedItemBehindItsTabsOthers_SaysItWaitsInThisTab()
    {
        var item = Item(GalleryItemStatus.Waiting);
        item.TabPosition = 3;

        Assert.Equal("Waiting in this tab: number 3", StateText(RenderCard(item)));
    }

    [Fact]
    public void UploadedItemNotYetInLine_SaysItWaitsForRoom()
    {
        Assert.Equal("Waiting for room in the server's line…", StateText(RenderCard(Item(GalleryItemStatus.Waiting))));
    }

    [Fact]
    public void RefusedItemWithItsFileKept_OffersTryAgain_AndOthersDoNot()
    {
        var item = Item(GalleryItemStatus.Failed);
        item.Error = "The server is busy: 2 images are being colorized and 16 are waiting. Try again in a few seconds.";
        item.PendingBytes = [1, 2, 3];
        var retried = new List<GalleryItem>();
        var cut = Context.Render<GalleryCard>(p => p.Add(c => c.Item, item).Add(c => c.OnRetry, i => retried.Add(i)));

        cut.Find("[data-testid=retry]").Click();

        Assert.Same(item, Assert.Single(retried));
        Assert.Equal("Try again: grandpa 1938.jpg", cut.Find("[data-testid=retry]").GetAttribute("aria-label"));
        var unreadable = Item(GalleryItemStatus.Failed);
        unreadable.Error = "not a picture";
        Assert.Empty(RenderCard(unreadable).FindAll("[data-testid=retry]"));
    }

    [Fact]
    public void InterruptedUpload_SaysToAddThePhotoAgain_AndCanBeRemoved()
    {
        var item = Item(GalleryItemStatus.Uploading);
        item.UploadStarted = true;

        Assert.True(item.Interrupt());
        var cut = RenderCard(item);

        Assert.Equal("failed", cut.Find("[data-testid=gallery-item]").GetAttribute("data-status"));
        Assert.Equal("Upload interrupted — add the photo again.", cut.Find("[data-testid=item-error]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=cancel]"));
        Assert.Empty(cut.FindAll("[data-testid=retry]"));
        cut.Find("[data-testid=remove]").Click();
        Assert.Same(item, Assert.Single(_removed));
    }

    [Fact]
    public void CancellingAnUpload_LooksLikeEveryOtherCancel()
    {
        var item = Item(GalleryItemStatus.Uploading);
        item.UploadStarted = true;

        item.Cancel();
        var cut = RenderCard(item);

        Assert.Equal(GalleryItemStatus.Cancelled, item.Status);
        var notice = cut.Find("[data-testid=item-error]");
        Assert.Equal("Cancelled.", notice.TextContent.Trim());
        Assert.Contains("mud-alert-text-warning", notice.ClassList);
    }

    [Fact]
    public void WaitingItem_MovesUpTheLineOnRerender()
    {
        var item = Item(GalleryItemStatus.Waiting);
        item.QueuePosition = 3;
        var cut = RenderCard(item);

        item.QueuePosition = 1;
        cut.Render();

        Assert.Equal("Waiting: number 1 in line", StateText(cut));
    }

    [Fact]
    public void RunningItem_SaysItIsColorizing()
    {
        var cut = RenderCard(Item(GalleryItemStatus.Running));

        Assert.Equal("Colorizing…", StateText(cut));
        Assert.Single(cut.FindAll("[role=progressbar]"));
        Assert.Empty(cut.FindAll("[data-testid=item-error]"));
    }

    [Fact]
    public void FailedItem_ShowsTheErrorAsAnError()
    {
        var item = Item(GalleryItemStatus.Failed);
        item.Error = "grandpa 1938.jpg is not a picture this app can read (JPEG, PNG, WebP, BMP or TIFF).";

        var cut = RenderCard(item);

        var error = cut.Find("[data-testid=item-error]");
        Assert.Equal(item.Error, error.TextContent.Trim());
        Assert.Contains("mud-alert-text-error", error.ClassList);
        Assert.Empty(cut.FindAll("[data-testid=state]"));
        Assert.Empty(cut.FindAll("[role=progressbar]"));
        Assert.Empty(cut.FindAll("img"));
    }

    [Fact]
    public void CancelledItem_SaysSoAsAWarning()
    {
        var item = Item(GalleryItemStatus.Cancelled);
        item.Error = "Cancelled.";

        var cut = RenderCard(item);

        var notice = cut.Find("[data-testid=item-error]");
        Assert.Equal("Cancelled.", notice.TextContent.Trim());
        Assert.Contains("mud-alert-text-warning", notice.ClassList);
        Assert.DoesNotContain("mud-alert-text-error", notice.ClassList);
    }

    [Fact]
    public void MarkupInTheFileNameOrError_IsShownAsTextNotInjected()
    {
        const string name = "<img src=x onerror=alert(1)>.png";
        const string reason = "<script>alert('x')</script> is <b>not</b> an image.";
        var item = Item(GalleryItemStatus.Failed, name);
        item.Error = reason;

        var cut = RenderCard(item);

        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("img"));
        Assert.Empty(cut.FindAll("[data-testid=item-error] b"));
        Assert.Equal(name, cut.Find(".file-name").TextContent);
        Assert.Equal(reason, cut.Find("[data-testid=item-error]").TextContent.Trim());
        Assert.Equal($"Remove {name}", cut.Find("button[aria-label^=Remove]").GetAttribute("aria-label"));
        Assert.Contains("&lt;script&gt;", cut.Markup);
    }

    [Fact]
    public void MarkupInTheFileNameOfAFinishedItem_StaysInsideItsAttributes()
    {
        const string name = "\"><script>alert(1)</script>.png";

        var cut = RenderCard(DoneItem(name));

        Assert.Empty(cut.FindAll("script"));
        Assert.Equal(2, cut.FindAll("img").Count);
        Assert.Equal($"Original: {name}", cut.Find("img.compare-before").GetAttribute("alt"));
        Assert.Equal($"Download {name} as PNG", cut.Find("[data-testid=download-png]").GetAttribute("aria-label"));
    }

    [Theory]
    [InlineData(GalleryItemStatus.Uploading)]
    [InlineData(GalleryItemStatus.Waiting)]
    [InlineData(GalleryItemStatus.Running)]
    public void BusyItem_CanBeCancelledOrRemoved(GalleryItemStatus status)
    {
        var item = Item(status);
        var cut = RenderCard(item);

        cut.Find("[data-testid=cancel]").Click();

        Assert.Same(item, Assert.Single(_cancelled));
        Assert.Equal("Cancel", cut.Find("[data-testid=cancel]").TextContent.Trim());
        Assert.Empty(_removed);
        cut.Find("button[aria-label='Remove grandpa 1938.jpg']").Click();
        Assert.Same(item, Assert.Single(_removed));
    }

    [Theory]
    [InlineData(GalleryItemStatus.Done)]
    [InlineData(GalleryItemStatus.Failed)]
    [InlineData(GalleryItemStatus.Cancelled)]
    public void FinishedItem_OffersRemoveInsteadOfCancel(GalleryItemStatus status)
    {
        var item = status == GalleryItemStatus.Done ? DoneItem() : Item(status);
        var cut = RenderCard(item);

        Assert.Empty(cut.FindAll("[data-testid=cancel]"));
        cut.Find("button[aria-label='Remove grandpa 1938.jpg']").Click();

        Assert.Same(item, Assert.Single(_removed));
        Assert.Empty(_cancelled);
    }

    [Fact]
    public void FinishedItem_LosesItsCancelButton()
    {
        var item = Item(GalleryItemStatus.Running);
        var cut = RenderCard(item);
        Assert.Single(cut.FindAll("[data-testid=cancel]"));

        item.Status = GalleryItemStatus.Done;
        item.OriginalPreview = Original;
        item.ResultPreview = Result;
        cut.Render();

        Assert.Empty(cut.FindAll("[data-testid=cancel]"));
        Assert.Single(cut.FindAll("[data-testid=compare]"));
    }

    [Fact]
    public void DoneItem_ShowsTheComparisonOfBothImages()
    {
        var item = DoneItem();
        var cut = RenderCard(item);

        Assert.Single(cut.FindAll("[data-testid=compare]"));
        var before = cut.Find("img.compare-before");
        var after = cut.Find("img.compare-after");
        // By URL, never as data: the gallery's id, the card's, the kind, and the version of the picture.
        Assert.Matches($@"^gallery/{GalleryKey}/{item.Id}/original\?v=[0-9a-f]{{16}}$", before.GetAttribute("src"));
        Assert.Matches($@"^gallery/{GalleryKey}/{item.Id}/result\?v=[0-9a-f]{{16}}$", after.GetAttribute("src"));
        Assert.NotEqual(before.GetAttribute("src"), after.GetAttribute("src"));
        Assert.Equal("Original: grandpa 1938.jpg", before.GetAttribute("alt"));
        Assert.Equal("Colorized: grandpa 1938.jpg", after.GetAttribute("alt"));
        Assert.Equal("Comparison divider for grandpa 1938.jpg", cut.Find("[role=slider]").GetAttribute("aria-label"));
        Assert.Equal("1600 × 1200 px", cut.Find(".mud-card-header .mud-typography-caption").TextContent.Trim());
        Context.JSInterop.VerifyInvoke("colorizer.initCompare");
    }

    [Fact]
    public void DoneItem_FromAColorPhoto_SaysItWasAlreadyInColor()
    {
        var item = DoneItem();
        item.InputHadColor = true;

        var notice = RenderCard(item).Find("[data-testid=had-color]");

        Assert.Equal("This photo was already in colour: it was colorized from its luminance.", notice.TextContent.Trim());
    }

    [Fact]
    public void DoneItem_FromABlackAndWhitePhoto_HasNoColorNotice()
    {
        var cut = RenderCard(DoneItem());

        Assert.Empty(cut.FindAll("[data-testid=had-color]"));
        Assert.DoesNotContain("already in colour", cut.Markup);
    }

    [Theory]
    [InlineData("PNG", OutputFormat.Png)]
    [InlineData("JPEG", OutputFormat.Jpeg)]
    [InlineData("WebP", OutputFormat.WebP)]
    [InlineData("TIFF", OutputFormat.Tiff)]
    public void DownloadButton_RaisesOnDownloadWithItsFormat(string label, OutputFormat format)
    {
        var item = DoneItem();
        var cut = RenderCard(item);

        var button = cut.Find($"button[aria-label='Download grandpa 1938.jpg as {label}']");
        Assert.Equal(label, button.TextContent.Trim());
        button.Click();

        var download = Assert.Single(_downloads);
        Assert.Same(item, download.Item);
        Assert.Equal(format, download.Format);
    }

    [Theory]
    [InlineData(GalleryItemStatus.Waiting)]
    [InlineData(GalleryItemStatus.Running)]
    [InlineData(GalleryItemStatus.Failed)]
    [InlineData(GalleryItemStatus.Cancelled)]
    public void UnfinishedItem_OffersNoDownloadsOrControls(GalleryItemStatus status)
    {
        var cut = RenderCard(Item(status));

        Assert.Empty(cut.FindAll("button[aria-label^=Download]"));
        Assert.Empty(cut.FindAll(".downloads"));
        Assert.Empty(cut.FindAll("input[type=range]"));
    }

    [Fact]
    public void ViewToggle_SwitchesToSideBySideAndBack()
    {
        var item = DoneItem();
        var cut = RenderCard(item);
        var compare = ButtonWithText(cut, "Compare");
        Assert.Equal("true", compare.GetAttribute("aria-checked"));

        ButtonWithText(cut, "Side by side").Click();

        Assert.Empty(cut.FindAll("[data-testid=compare]"));
        var images = cut.FindAll("[data-testid=side-by-side] img");
        Assert.Equal([Url(item, PreviewKind.Original), Url(item, PreviewKind.Result)], images.Select(i => i.GetAttribute("src")));
        Assert.Equal(["Original: grandpa 1938.jpg", "Colorized: grandpa 1938.jpg"], images.Select(i => i.GetAttribute("alt")));
        Assert.Equal(["Original", "Colorized"], cut.FindAll("[data-testid=side-by-side] figcaption").Select(f => f.TextContent));
        Assert.Equal("true", ButtonWithText(cut, "Side by side").GetAttribute("aria-checked"));
        Assert.Equal("false", ButtonWithText(cut, "Compare").GetAttribute("aria-checked"));

        ButtonWithText(cut, "Compare").Click();

        Assert.Empty(cut.FindAll("[data-testid=side-by-side]"));
        Assert.Single(cut.FindAll("[data-testid=compare]"));
        Context.JSInterop.VerifyInvoke("colorizer.initCompare", calledTimes: 2);
    }

    [Fact]
    public void DoneItem_ControlsShowItsOptions()
    {
        var item = DoneItem();
        item.Options = new ColorizationOptions { Temperature = 0.525, Saturation = 1.5, RenderSize = 448 };

        var cut = RenderCard(item);

        Assert.Equal("50", cut.Find("input[data-testid=vividness]").GetAttribute("value"));
        Assert.Equal("1.5", cut.Find("input[data-testid=saturation]").GetAttribute("value"));
        Assert.Equal("Finer (448 px)", cut.Find("[data-testid=detail]").TextContent.Trim());
        Assert.Equal($"vividness-{item.Id}", cut.Find("input[data-testid=vividness]").Id);
    }

    [Fact]
    public void MovingAControl_RaisesOnStyleChangedWithTheItem()
    {
        var item = DoneItem();
        item.Options = new ColorizationOptions { Temperature = 0.38, Saturation = 1.5 };
        var cut = RenderCard(item);

        cut.Find("input[data-testid=vividness]").Input("100");
        cut.Find("input[data-testid=saturation]").Input("0.5");

        Assert.Equal([(item, 0.05, 1.5), (item, 0.38, 0.5)], _styles);
    }

    [Fact]
    public void PickingMoreDetail_RaisesOnRenderSizeChangedWithTheItem()
    {
        var item = DoneItem();
        var cut = RenderCard(item);

        OpenSelect(cut).Single(o => o.TextContent.Trim() == "Fine (320 px)").Click();

        Assert.Equal([(item, 320)], _sizes);
    }

    [Theory]
    [InlineData(3, "Waiting for more detail: number 3 in line")]
    [InlineData(0, "Adding detail…")]
    public void RecomputingItem_SaysSoDisablesItsControlsAndCanBeCancelled(int queuePosition, string expected)
    {
        var item = DoneItem();
        item.Recomputing = true;
        item.QueuePosition = queuePosition;

        var cut = RenderCard(item);

        Assert.Equal(expected, StateText(cut));
        Assert.Equal("done", cut.Find("[data-testid=gallery-item]").GetAttribute("data-status"));
        Assert.All(cut.FindAll("input[type=range]"), i => Assert.True(i.HasAttribute("disabled")));
        Assert.Equal("true", cut.Find("[data-testid=detail]").GetAttribute("aria-disabled"));
        Assert.Single(cut.FindAll("[data-testid=compare]"));
        cut.Find("[data-testid=cancel]").Click();
        Assert.Same(item, Assert.Single(_cancelled));
    }

    [Fact]
    public void FullScreenButton_AsksTheBrowserForTheViewer()
    {
        var cut = RenderCard(DoneItem());
        var viewerId = cut.Find(".viewer").GetAttribute("blazor:elementReference");

        cut.Find("button[aria-label='Full screen']").Click();

        var invocation = Context.JSInterop.VerifyInvoke("colorizer.fullScreen");
        var viewer = Assert.IsType<Microsoft.AspNetCore.Components.ElementReference>(Assert.Single(invocation.Arguments));
        Assert.False(string.IsNullOrEmpty(viewerId));
        Assert.Equal(viewerId, viewer.Id);
    }

    [Fact]
    public void FullScreenRefusedByTheBrowser_LeavesTheCardAsItWas()
    {
        Context.JSInterop.SetupVoid("colorizer.fullScreen").SetException(new JSException("Permissions check failed"));
        var cut = RenderCard(DoneItem());

        cut.Find("button[aria-label='Full screen']").Click();

        Assert.Single(cut.FindAll("[data-testid=compare]"));
        Assert.Equal("done", cut.Find("[data-testid=gallery-item]").GetAttribute("data-status"));
    }

    [Fact]
    public void PhotoNotKeptOnDisk_SaysWhy()
    {
        var item = DoneItem();
        item.NotKept = "Not kept on the server: this gallery's share of the disk (2 GB) is full. Remove some photos to keep new ones.";

        var cut = RenderCard(item);

        Assert.Equal(item.NotKept, cut.Find("[data-testid=not-kept]").TextContent.Trim());
        Assert.Empty(RenderCard(DoneItem()).FindAll("[data-testid=not-kept]"));
    }
}
