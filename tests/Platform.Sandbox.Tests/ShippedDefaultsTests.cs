using System.Net;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class ShippedDefaultsTests
{
    [Fact]
    public async Task The_shipped_settings_start_the_sandbox_with_working_local_credentials()
    {
        var settings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "shipped.appsettings.json"))).RootElement.GetProperty("Sandbox");
        await using var sandbox = await SandboxHost.StartAsync(
            new Dictionary<string, string?> { ["Urls"] = null },
            settingsFile: "shipped.appsettings.json");

        using var request = new HttpRequestMessage(HttpMethod.Get, "magento/rest/default/V1/store/storeViews");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", settings.GetProperty("Magento").GetProperty("AccessToken").GetString());
        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Every_shipped_secret_is_plainly_a_local_development_value()
    {
        var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shipped.appsettings.json"))).RootElement.GetProperty("Sandbox");
        string[] secretNames = ["AccessToken", "ApiKey", "ApiToken", "ClientSecret", "Password", "WebhookSecret"];

        var secrets = settings.EnumerateObject()
            .Where(system => system.Value.ValueKind == JsonValueKind.Object)
            .SelectMany(system => system.Value.EnumerateObject().Where(property => secretNames.Contains(property.Name)))
            .Select(property => property.Value.GetString()!)
            .ToList();

        Assert.True(secrets.Count >= 7, $"expected a credential per system, found {secrets.Count}");
        Assert.All(secrets, secret => Assert.Contains("local_dev_only", secret.Replace('-', '_'), StringComparison.Ordinal));
    }
}
