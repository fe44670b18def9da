namespace Platform.Connectors.Magento;

// Bound from Platform:Connectors:magento:Inventory.
public sealed class MagentoInventoryOptions
{
    public const string SectionName = "Inventory";

    // Magento's web API input limit (2.4.3 and later, when the store enables it): at most this many entries in
    // one array of a synchronous request, 20 by default. Set it to the store's "Input List Limit", or 0 when the
    // store has input limits switched off.
    public int InputLimit { get; set; } = 20;
}
