using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Sandbox.Tests;

/// <summary>The sandbox on real Kestrel at 127.0.0.1 on a free port, configured only by what the test passes.</summary>
internal sealed class SandboxHost : IAsyncDisposable
{
    public const string MagentoToken = "test-magento-token";
    public const string ShopifyToken = "test-shopify-token";
    public const string ErpKey = "test-erp-key";
    public const string PimClientId = "test-pim-client";
    public const string PimClientSecret = "test-pim-secret";
    public const string PimUser = "test-pim-user";
    public const string PimPassword = "test-pim-password";
    public const string TplToken = "test-3pl-token";
    public const string CrmToken = "test-crm-token";

    private static readonly Dictionary<string, string?> TestSettings = new()
    {
        ["Sandbox:Seed"] = "4242",
        ["Sandbox:Magento:AccessToken"] = MagentoToken,
        ["Sandbox:Shopify:AccessToken"] = ShopifyToken,
        ["Sandbox:Erp:ApiKey"] = ErpKey,
        ["Sandbox:Pim:ClientId"] = PimClientId,
        ["Sandbox:Pim:ClientSecret"] = PimClientSecret,
        ["Sandbox:Pim:Username"] = PimUser,
        ["Sandbox:Pim:Password"] = PimPassword,
        ["Sandbox:Tpl:ApiToken"] = TplToken,
        ["Sandbox:Crm:AccessToken"] = CrmToken,
    };

    private readonly WebApplication _app;

    private SandboxHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    /// <summary>A client without any credential; tests add the header each system wants.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<SandboxHost> StartAsync(
        IDictionary<string, string?>? overrides = null,
        string? settingsFile = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        if (settingsFile is null)
        {
            builder.Configuration.AddInMemoryCollection(TestSettings);
        }
        else
        {
            builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, settingsFile), optional: false);
        }

        builder.Configuration.AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        configureServices?.Invoke(builder.Services);
        builder.AddSandbox();

        var app = builder.Build();
        try
        {
            app.MapSandbox();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new SandboxHost(app, new Uri(address + "/"));
    }

    public async Task PutFaultsAsync(string system, object profile)
    {
        using var response = await Client.PutAsJsonAsync($"_sandbox/faults/{system}", profile);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A request to the system's simple authenticated endpoint, carrying the right credential.</summary>
    public HttpRequestMessage AuthorizedRequest(string system) => system switch
    {
        "magento" => WithHeader("magento/rest/default/V1/store/storeViews", "Authorization", "Bearer " + MagentoToken),
        "shopify" => WithHeader("shopify/admin/api/2025-01/shop.json", "X-Shopify-Access-Token", ShopifyToken),
        "erp" => WithHeader("erp/api/v1/company", "X-Api-Key", ErpKey),
        "tpl" => WithHeader("tpl/api/v1/account", "Authorization", "Bearer " + TplToken),
        "crm" => WithHeader("crm/account-info/v3/details", "Authorization", "Bearer " + CrmToken),
        _ => throw new ArgumentOutOfRangeException(nameof(system), system, "pim needs a token first: see PimTokenAsync"),
    };

    public async Task<string> PimTokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "pim/api/oauth/v1/token")
        {
            Content = JsonContent.Create(new { grant_type = "password", username = PimUser, password = PimPassword }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{PimClientId}:{PimClientSecret}")));
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static HttpRequestMessage WithHeader(string path, string name, string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }
}
