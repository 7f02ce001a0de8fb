namespace Colorizer.Web.Components.Gallery;

/// <summary>What a card's compare view sets against each other while its repairs are open.</summary>
public enum RepairView
{
    /// <summary>The upload against the repaired photo: what the repairs changed.</summary>
    OriginalAndRepaired,

    /// <summary>The repaired photo against its colours.</summary>
    RepairedAndColorized,

    /// <summary>The upload against the colorized result, as when the repairs are closed.</summary>
    OriginalAndColorized,
}
