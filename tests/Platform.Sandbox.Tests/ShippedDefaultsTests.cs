using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class ShippedDefaultsTests
{
    [Fact]
    public async Task The_shipped_settings_start_the_sandbox_with_credentials_made_for_the_run()
    {
        await using var sandbox = await SandboxHost.StartAsync(
            new Dictionary<string, string?> { ["Urls"] = null },
            settingsFile: "shipped.appsettings.json");

        var credentials = await sandbox.Client.GetFromJsonAsync<Dictionary<string, string>>("_sandbox/credentials");
        Assert.NotNull(credentials);
        Assert.All(SandboxCredentials.Keys.Keys, key => Assert.False(string.IsNullOrWhiteSpace(credentials![key]), key));

        using var request = new HttpRequestMessage(HttpMethod.Get, "magento/rest/default/V1/store/storeViews");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", credentials!["Sandbox:Magento:AccessToken"]);
        using var response = await sandbox.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await using var another = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Urls"] = null }, settingsFile: "shipped.appsettings.json");
        var others = await another.Client.GetFromJsonAsync<Dictionary<string, string>>("_sandbox/credentials");
        Assert.NotEqual(credentials["Sandbox:Magento:AccessToken"], others!["Sandbox:Magento:AccessToken"]);
    }

    [Fact]
    public void The_shipped_settings_carry_no_credential()
    {
        var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shipped.appsettings.json"))).RootElement;
        var configured = SandboxCredentials.Keys.Keys.Where(key =>
        {
            var node = settings;
            foreach (var part in key.Split(':'))
            {
                if (!node.TryGetProperty(part, out node))
                {
                    return false;
                }
            }

            return true;
        }).ToList();

        Assert.Empty(configured);
    }

    [Fact]
    public async Task A_configured_credential_wins_over_a_made_up_one()
    {
        await using var sandbox = await SandboxHost.StartAsync(
            new Dictionary<string, string?> { ["Urls"] = null, ["Sandbox:Erp:ApiKey"] = "erp-key-from-a-kubernetes-secret" },
            settingsFile: "shipped.appsettings.json");

        var credentials = await sandbox.Client.GetFromJsonAsync<Dictionary<string, string>>("_sandbox/credentials");
        Assert.Equal("erp-key-from-a-kubernetes-secret", credentials!["Sandbox:Erp:ApiKey"]);
    }
}
