using System.Security.Claims;

namespace Platform.Hosting.Tests;

public sealed class ScopeTests
{
    [Theory]
    [InlineData("order.read", "order.read", true)]
    [InlineData("order.write", "order.read", true)]
    [InlineData("order.admin", "order.read", true)]
    [InlineData("order.admin", "order.write", true)]
    [InlineData("order.read", "order.write", false)]
    [InlineData("order.write", "order.admin", false)]
    [InlineData("catalog.admin", "order.read", false)]
    [InlineData("order.admin", "order.replay", false)]
    [InlineData("order.replay", "order.replay", true)]
    public void Admin_includes_write_includes_read_within_one_service(string granted, string required, bool expected)
    {
        Assert.Equal(expected, PlatformScopes.IsSatisfiedBy(new HashSet<string> { granted }, required));
    }

    [Fact]
    public void Scopes_are_read_from_scope_and_scp_claims_split_on_spaces()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("scope", "order.read inventory.write"),
            new Claim("scp", "catalog.admin"),
            new Claim("scp", "tracking.read"),
            new Claim("roles", "customer.admin"),
        ], "test"));

        var granted = PlatformScopes.Granted(principal);

        Assert.Equal(["catalog.admin", "inventory.write", "order.read", "tracking.read"], granted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Convention_names_follow_service_dot_level()
    {
        Assert.Equal("order.read", PlatformScopes.Read("order"));
        Assert.Equal("order.write", PlatformScopes.Write("order"));
        Assert.Equal("order.admin", PlatformScopes.Admin("order"));
    }
}
