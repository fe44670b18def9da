using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

/// <summary>
/// Scope convention: <c>&lt;service&gt;.read</c>, <c>&lt;service&gt;.write</c>, <c>&lt;service&gt;.admin</c>, where admin
/// includes write and write includes read, so an operator key needs one scope per service, not three.
/// Any other scope (e.g. <c>order.replay</c>) must be granted exactly.
/// </summary>
public static class PlatformScopes
{
    public const string ReadSuffix = "read";
    public const string WriteSuffix = "write";
    public const string AdminSuffix = "admin";

    /// <summary>Claim the API-key scheme issues, one per scope. JWTs carry "scope" (space separated) or "scp".</summary>
    public const string ScopeClaimType = "scope";
    public const string ScpClaimType = "scp";

    public static string Read(string service) => $"{service}.{ReadSuffix}";

    public static string Write(string service) => $"{service}.{WriteSuffix}";

    public static string Admin(string service) => $"{service}.{AdminSuffix}";

    public static IReadOnlySet<string> Granted(ClaimsPrincipal principal)
    {
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in principal.Claims)
        {
            if (claim.Type is ScopeClaimType or ScpClaimType)
            {
                granted.UnionWith(Split([claim.Value]));
            }
        }

        return granted;
    }

    public static bool IsSatisfiedBy(IReadOnlySet<string> granted, string required)
    {
        if (granted.Contains(required))
        {
            return true;
        }

        var dot = required.LastIndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var service = required[..dot];
        return required[(dot + 1)..] switch
        {
            ReadSuffix => granted.Contains(Write(service)) || granted.Contains(Admin(service)),
            WriteSuffix => granted.Contains(Admin(service)),
            _ => false,
        };
    }

    internal static IEnumerable<string> Split(IEnumerable<string?> entries) =>
        entries.SelectMany(entry => (entry ?? "").Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    internal static bool IsWellFormed(string scope) =>
        scope.Length is > 0 and <= 128
        && char.IsAsciiLetterOrDigit(scope[0])
        && scope.All(character => char.IsAsciiLetterLower(character) || char.IsAsciiDigit(character) || character is '.' or '_' or '-' or ':');
}

/// <summary>
/// Requires a scope on a gRPC service class or method, or a controller: <c>[RequireScope("order.admin")]</c>.
/// Combined with other authorization data on the same endpoint, all of them must pass.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeAttribute(string scope) : AuthorizeAttribute(ScopePolicyProvider.PolicyPrefix + scope)
{
    public string Scope { get; } = scope;
}

public static class ScopeEndpointConventionBuilderExtensions
{
    /// <summary>
    /// <c>app.MapGrpcService&lt;OrderApi&gt;().RequireScope(PlatformScopes.Read("order"))</c>, or on a minimal-API endpoint.
    /// Calls without credentials get Unauthenticated (HTTP 401); calls with credentials lacking the scope get
    /// PermissionDenied (HTTP 403).
    /// </summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        return builder.RequireAuthorization(new RequireScopeAttribute(scope));
    }

    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, string scope)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope));
    }
}

public sealed class ScopeRequirement(string scope) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    public override string ToString() => $"scope {Scope}";
}

internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true
            && PlatformScopes.IsSatisfiedBy(PlatformScopes.Granted(context.User), requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Turns "scope:order.admin" policy names into policies on demand, so no service registers them one by one.</summary>
internal sealed class ScopePolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public const string PolicyPrefix = "scope:";

    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (policyName.StartsWith(PolicyPrefix, StringComparison.Ordinal) && policyName.Length > PolicyPrefix.Length)
        {
            return new AuthorizationPolicyBuilder().RequireScope(policyName[PolicyPrefix.Length..]).Build();
        }

        return await base.GetPolicyAsync(policyName);
    }
}
