using System.ComponentModel.DataAnnotations;

namespace Platform.Order;

/// <summary><c>Order</c> settings: the storefront stores this deployment serves and how orders are fetched.</summary>
public sealed class OrderOptions
{
    public const string Section = "Order";

    /// <summary>
    /// Store codes served (Magento store view codes). An order of any other store is refused. Each store's webhook
    /// secret is a connector setting: <c>Platform:Connectors:magento:Webhooks:Secrets:&lt;store&gt;</c>.
    /// </summary>
    public List<string> Stores { get; set; } = [];

    public bool Serves(string storeCode) => Stores.Contains(storeCode, StringComparer.Ordinal);

    /// <summary>How often the changed-since poll looks for orders the webhooks missed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The poll re-reads this far before its cursor: Magento's updated_at has one-second precision.</summary>
    public TimeSpan PollOverlap { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 500)]
    public int PollPageSize { get; set; } = 100;

    /// <summary>Largest webhook body accepted; anything larger is refused with 413.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxWebhookBytes { get; set; } = 1024 * 1024;

    public bool PollEnabled { get; set; } = true;
}
