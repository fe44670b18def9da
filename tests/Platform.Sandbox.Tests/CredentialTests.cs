using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Sandbox.Tests;

public sealed class CredentialTests
{
    public static TheoryData<string, string, string> Systems => new()
    {
        // system, the simple endpoint, a fragment of the real system's 401 body
        { "magento", "magento/rest/default/V1/store/storeViews", "The consumer isn't authorized to access %resources." },
        { "shopify", "shopify/admin/api/2025-01/shop.json", "[API] Invalid API key or access token" },
        { "erp", "erp/api/v1/company", "\"title\":\"Unauthorized\"" },
        { "pim", "pim/api/rest/v1/system-information", "\"code\":401" },
        { "tpl", "tpl/api/v1/account", "\"error\":\"unauthorized\"" },
        { "crm", "crm/account-info/v3/details", "INVALID_AUTHENTICATION" },
    };

    [Theory]
    [MemberData(nameof(Systems))]
    public async Task A_request_without_the_credential_gets_the_system_own_401(string system, string path, string bodyFragment)
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var response = await sandbox.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(bodyFragment, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, sandbox.Services.GetCounters().GetSystem(system, "responses.401"));
    }

    public static TheoryData<string, string> SystemPaths
    {
        get
        {
            var paths = new TheoryData<string, string>();
            foreach (var row in Systems)
            {
                paths.Add((string)row[0], (string)row[1]);
            }

            return paths;
        }
    }

    [Theory]
    [MemberData(nameof(SystemPaths))]
    public async Task A_request_with_a_wrong_credential_gets_401(string system, string path)
    {
        await using var sandbox = await SandboxHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        request.Headers.Add("X-Shopify-Access-Token", "not-the-token");
        request.Headers.Add("X-Api-Key", "not-the-key");

        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, sandbox.Services.GetCounters().GetSystem(system, "responses.401"));
    }

    [Theory]
    [InlineData("magento")]
    [InlineData("shopify")]
    [InlineData("erp")]
    [InlineData("tpl")]
    [InlineData("crm")]
    public async Task A_request_with_the_credential_is_answered(string system)
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var response = await sandbox.Client.SendAsync(sandbox.AuthorizedRequest(system));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Magento_lists_its_store_views_in_magento_shape()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var response = await sandbox.Client.SendAsync(sandbox.AuthorizedRequest("magento"));
        var views = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(JsonValueKind.Array, views.ValueKind);
        var defaultView = views.EnumerateArray().Single(view => view.GetProperty("code").GetString() == "default");
        Assert.Equal(1, defaultView.GetProperty("website_id").GetInt32());
        Assert.Equal(1, defaultView.GetProperty("store_group_id").GetInt32());
        Assert.Equal(1, defaultView.GetProperty("is_active").GetInt32());
    }

    [Fact]
    public async Task Magento_names_the_acl_resource_and_answers_unknown_routes_its_way()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var denied = await sandbox.Client.GetAsync("magento/rest/all/V1/store/storeViews");
        var deniedBody = await denied.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Magento_Backend::store", deniedBody.GetProperty("parameters").GetProperty("resources").GetString());

        using var request = sandbox.AuthorizedRequest("magento");
        request.RequestUri = new Uri("magento/rest/default/V1/no/such/route", UriKind.Relative);
        using var missing = await sandbox.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Request does not match any route.", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_pim_issues_a_bearer_token_for_the_connection_and_user_and_accepts_it()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var token = await sandbox.PimTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "pim/api/rest/v1/system-information");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("edition").GetString()));
    }

    [Theory]
    [InlineData(SandboxHost.PimClientId, "wrong-secret", SandboxHost.PimUser, SandboxHost.PimPassword, "client_id")]
    [InlineData(SandboxHost.PimClientId, SandboxHost.PimClientSecret, SandboxHost.PimUser, "wrong-password", "No user found")]
    [InlineData(SandboxHost.PimClientId, SandboxHost.PimClientSecret, "", SandboxHost.PimPassword, "grant_type")]
    public async Task The_pim_refuses_a_token_request_with_wrong_credentials(string clientId, string secret, string user, string password, string messageFragment)
    {
        await using var sandbox = await SandboxHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "pim/api/oauth/v1/token")
        {
            Content = JsonContent.Create(new { grant_type = "password", username = user, password }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));

        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(messageFragment, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_pim_token_is_refused()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        await using var sandbox = await SandboxHost.StartAsync(
            new Dictionary<string, string?> { ["Sandbox:Pim:TokenLifetimeSeconds"] = "60" },
            configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var token = await sandbox.PimTokenAsync();

        clock.Advance(TimeSpan.FromSeconds(61));
        using var request = new HttpRequestMessage(HttpMethod.Get, "pim/api/rest/v1/system-information");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("The access token provided is invalid.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_endpoints_need_no_simulated_credential()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var systems = await sandbox.Client.GetAsync("_sandbox/systems");
        using var counters = await sandbox.Client.GetAsync("_sandbox/counters");

        Assert.Equal(HttpStatusCode.OK, systems.StatusCode);
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        var listed = await systems.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            ["crm", "erp", "magento", "pim", "shopify", "tpl"],
            listed.EnumerateArray().Select(system => system.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(listed.EnumerateArray(), system =>
            Assert.Equal($"/{system.GetProperty("name").GetString()}/", system.GetProperty("basePath").GetString()));
    }

    [Fact]
    public async Task A_credential_left_unset_is_made_up_for_the_run_and_the_old_value_no_longer_opens_the_system()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Erp:ApiKey"] = "",
        });

        var credentials = await sandbox.Client.GetFromJsonAsync<Dictionary<string, string>>("_sandbox/credentials");
        var made = credentials!["Sandbox:Erp:ApiKey"];
        Assert.Matches("^[0-9a-f]{40}$", made);

        using var withMade = new HttpRequestMessage(HttpMethod.Get, "erp/api/v1/company");
        withMade.Headers.Add("X-Api-Key", made);
        using var empty = new HttpRequestMessage(HttpMethod.Get, "erp/api/v1/company");
        empty.Headers.Add("X-Api-Key", "");
        Assert.Equal(HttpStatusCode.OK, (await sandbox.Client.SendAsync(withMade)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sandbox.Client.SendAsync(empty)).StatusCode);
    }

    private sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
