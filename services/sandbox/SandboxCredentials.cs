using System.Security.Cryptography;
using Microsoft.Extensions.Configuration.Memory;

namespace Platform.Sandbox;

/// <summary>
/// The credentials the simulated systems accept. Nothing is built in: whatever configuration (a Kubernetes secret,
/// the local host) does not set is made up at start, fresh for every run, and can be read back by an operator at
/// <c>GET /_sandbox/credentials</c>, which sits behind the platform's API keys.
/// </summary>
public static class SandboxCredentials
{
    public static readonly IReadOnlyDictionary<string, Func<string>> Keys = new Dictionary<string, Func<string>>(StringComparer.Ordinal)
    {
        ["Sandbox:Magento:AccessToken"] = Secret,
        ["Sandbox:Magento:WebhookSecret"] = Secret,
        ["Sandbox:Shopify:AccessToken"] = () => "shpat_" + Secret(),
        ["Sandbox:Erp:ApiKey"] = Secret,
        ["Sandbox:Pim:ClientId"] = () => "sandbox-" + Secret()[..12],
        ["Sandbox:Pim:ClientSecret"] = Secret,
        ["Sandbox:Pim:Username"] = () => "platform_connector",
        ["Sandbox:Pim:Password"] = Secret,
        ["Sandbox:Tpl:ApiToken"] = Secret,
        ["Sandbox:Crm:AccessToken"] = () => "pat-" + Secret(),
        ["Sandbox:Stock:WebhookSecret"] = Secret,
    };

    /// <summary>Sections of per-store or per-source secrets: never made up, but listed with the others when configured.</summary>
    public static readonly IReadOnlyList<string> PerKeySections = ["Sandbox:Magento:WebhookSecrets", "Sandbox:Stock:WebhookSecrets"];

    /// <summary>
    /// Adds generated values for the keys no configuration source sets, so a configured credential always wins.
    /// Returns the keys that were generated.
    /// </summary>
    public static IReadOnlyList<string> GenerateMissing(IConfigurationManager configuration)
    {
        var generated = Keys.Where(key => string.IsNullOrWhiteSpace(configuration[key.Key]))
            .ToDictionary(key => key.Key, key => (string?)key.Value(), StringComparer.Ordinal);
        if (generated.Count > 0)
        {
            // Added, not inserted first: inserting rebuilds every provider and loses values set directly on the
            // builder (UseUrls, test overrides). Only keys nothing sets are added, so nothing configured is shadowed.
            configuration.Sources.Add(new MemoryConfigurationSource { InitialData = generated });
        }

        return [.. generated.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The credentials in force, by configuration key.</summary>
    public static IReadOnlyDictionary<string, string?> Current(IConfiguration configuration)
    {
        var current = Keys.Keys.ToDictionary(key => key, key => configuration[key], StringComparer.Ordinal);
        foreach (var secret in PerKeySections.SelectMany(section => configuration.GetSection(section).GetChildren()))
        {
            current[secret.Path] = secret.Value;
        }

        return current;
    }

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
}
