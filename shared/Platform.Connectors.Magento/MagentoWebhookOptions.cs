using System.Diagnostics.CodeAnalysis;

namespace Platform.Connectors.Magento;

// Bound from Platform:Connectors:magento:Webhooks. One secret per store code (matched ignoring case, as
// configuration keys are), e.g.
// Platform__Connectors__magento__Webhooks__Secrets__default=... from a mounted secret, never appsettings.json.
public sealed class MagentoWebhookOptions
{
    public const string SectionName = "Webhooks";

    public Dictionary<string, string> Secrets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Tolerance { get; set; } = MagentoWebhookSignature.DefaultTolerance;

    public bool TryGetSecret(string storeCode, [NotNullWhen(true)] out string? secret)
    {
        secret = null;
        return !string.IsNullOrEmpty(storeCode)
               && Secrets.TryGetValue(storeCode, out secret)
               && !string.IsNullOrEmpty(secret);
    }
}
