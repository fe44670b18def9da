using System.Text.RegularExpressions;

namespace Platform.Sandbox.Systems.Stock;

/// <summary>
/// <c>Sandbox:Stock</c>: where the simulated ERP/WMS stock feeds deliver. Each feed is a source (<c>erp</c>, <c>wms</c>...)
/// named by the caller; nothing here is specific to one.
/// </summary>
public sealed partial class StockOptions
{
    public const string Section = "Sandbox:Stock";
    public const string SourcePlaceholder = "{source}";

    /// <summary>The inventory service's webhook, with <c>{source}</c> in it, e.g. <c>http://127.0.0.1:5090/webhooks/stock/{source}</c>.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Signs the webhooks of every source without its own entry in <see cref="WebhookSecrets"/>; made up per run when not set.</summary>
    public string WebhookSecret { get; set; } = "";

    public Dictionary<string, string> WebhookSecrets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many webhook requests may be in flight at once, over all sources and sends.</summary>
    public int WebhookConcurrency { get; set; } = 4;

    /// <summary>Attempts per batch when the receiver answers 5xx, 408 or 429 or cannot be reached; each retry keeps the delivery id.</summary>
    public int WebhookMaxAttempts { get; set; } = 5;

    public int WebhookTimeoutSeconds { get; set; } = 10;

    /// <summary>First wait before a retry; it doubles with every further attempt (a Retry-After from the receiver wins).</summary>
    public int WebhookRetryDelayMs { get; set; } = 200;

    /// <summary>The root of the CSV drop: files go to <c>{CsvFolder}/{source}/</c>.</summary>
    public string? CsvFolder { get; set; }

    /// <summary>A source name becomes part of a URL and of a folder path, so it is kept to a safe alphabet.</summary>
    public static bool IsValidSource(string? source) => source is not null && SourcePattern().IsMatch(source);

    public string? SecretFor(string source) =>
        WebhookSecrets.TryGetValue(source, out var secret) && !string.IsNullOrEmpty(secret) ? secret
        : !string.IsNullOrEmpty(WebhookSecret) ? WebhookSecret
        : null;

    public Uri? WebhookUriFor(string source) =>
        string.IsNullOrWhiteSpace(WebhookUrl) ? null : new Uri(WebhookUrl.Replace(SourcePlaceholder, Uri.EscapeDataString(source), StringComparison.Ordinal));

    public string? Problem()
    {
        if (!string.IsNullOrWhiteSpace(WebhookUrl)
            && !(Uri.TryCreate(WebhookUrl.Replace(SourcePlaceholder, "erp", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            return "WebhookUrl must be an absolute http(s) URL (with {source} where the source name goes)";
        }

        if (WebhookSecrets.Keys.FirstOrDefault(source => !IsValidSource(source)) is { } badSource)
        {
            return $"WebhookSecrets: '{badSource}' is not a source name (letters, digits, - and _, up to 64)";
        }

        return WebhookConcurrency is < 1 or > 64 ? "WebhookConcurrency must be between 1 and 64"
            : WebhookMaxAttempts is < 1 or > 20 ? "WebhookMaxAttempts must be between 1 and 20"
            : WebhookTimeoutSeconds is < 1 or > 300 ? "WebhookTimeoutSeconds must be between 1 and 300"
            : WebhookRetryDelayMs is < 0 or > 60_000 ? "WebhookRetryDelayMs must be between 0 and 60000"
            : null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex SourcePattern();
}
