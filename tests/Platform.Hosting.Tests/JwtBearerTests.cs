using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Platform.Hosting.Tests.Protos;

namespace Platform.Hosting.Tests;

public sealed class JwtBearerTests : IAsyncLifetime
{
    private const string Authority = "https://idp.platform.test/realms/platform";
    private static readonly SymmetricSecurityKey SigningKey = new(RandomNumberGenerator.GetBytes(32)) { KeyId = "test-key" };

    private TestApp? _app;

    private TestApp App => _app!;

    public async Task InitializeAsync()
    {
        var settings = TestApp.DefaultSettings();
        settings["Platform:Auth:Jwt:Authority"] = Authority;
        settings["Platform:Auth:Jwt:Audience"] = TestApp.ServiceName;
        // The issuer's metadata is given in place, so the test never reaches for the authority over the network.
        _app = await TestApp.StartAsync(settings, builder =>
            builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                var configuration = new OpenIdConnectConfiguration { Issuer = Authority };
                configuration.SigningKeys.Add(SigningKey);
                options.Configuration = configuration;
            }));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Bearer_token_with_the_scope_claim_is_accepted()
    {
        var token = CreateToken(new Dictionary<string, object> { ["scope"] = "openid hostingtest.read" });

        var reply = await App.Echo.PingAsync(new PingRequest { Message = "jwt" }, Bearer(token), Deadline());

        Assert.Equal("ops-dashboard", reply.Caller);
    }

    [Fact]
    public async Task Bearer_token_with_an_scp_array_is_accepted()
    {
        var token = CreateToken(new Dictionary<string, object> { ["scp"] = new[] { "catalog.read", "hostingtest.admin" } });

        var reply = await App.Echo.PurgeAsync(new PurgeRequest(), Bearer(token), Deadline());

        Assert.Equal(7, reply.Purged);
    }

    [Fact]
    public async Task Bearer_token_without_the_scope_is_permission_denied()
    {
        var token = CreateToken(new Dictionary<string, object> { ["scp"] = "catalog.read" });

        var error = await Assert.ThrowsAsync<RpcException>(() => App.Echo.PingAsync(new PingRequest(), Bearer(token), Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Bearer_token_for_another_audience_is_unauthenticated()
    {
        var token = CreateToken(new Dictionary<string, object> { ["scope"] = "hostingtest.read" }, audience: "catalog");

        var error = await Assert.ThrowsAsync<RpcException>(() => App.Echo.PingAsync(new PingRequest(), Bearer(token), Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Bearer_token_signed_with_another_key_is_unauthenticated()
    {
        var forged = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "test-key" };
        var token = CreateToken(new Dictionary<string, object> { ["scope"] = "hostingtest.admin" }, signingKey: forged);

        var error = await Assert.ThrowsAsync<RpcException>(() => App.Echo.PingAsync(new PingRequest(), Bearer(token), Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Api_keys_keep_working_when_bearer_tokens_are_enabled()
    {
        var reply = await App.Echo.PingAsync(new PingRequest(), TestApp.ApiKey(TestApp.ReaderKey), Deadline());

        Assert.Equal("reader", reply.Caller);
    }

    private static string CreateToken(Dictionary<string, object> claims, string audience = TestApp.ServiceName, SecurityKey? signingKey = null)
    {
        claims["sub"] = "ops-dashboard";
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(signingKey ?? SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);
}
