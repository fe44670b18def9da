using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

internal static class PlatformAuthentication
{
    /// <summary>The default scheme: picks the bearer scheme for "Authorization: Bearer", the API-key scheme otherwise.</summary>
    public const string SelectorScheme = "Platform";

    public static void Configure(IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PlatformAuthOptions>(PlatformAuthOptions.SectionPath);
        services.AddSingleton<IValidateOptions<PlatformAuthOptions>, PlatformAuthOptionsValidator>();
        services.AddSingleton<ApiKeyStore>();
        services.AddHostedService<AuthenticationStartupReport>();

        // Scheme registration happens before the container exists, so whether bearer tokens are accepted at all is
        // read from configuration here; everything else about the token is read through the validated options.
        var jwtEnabled = !string.IsNullOrWhiteSpace(configuration[$"{PlatformAuthOptions.SectionPath}:Jwt:Authority"]);

        var authentication = services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or bearer token", options =>
            {
                options.ForwardDefaultSelector = context =>
                    jwtEnabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? JwtBearerDefaults.AuthenticationScheme
                        : ApiKeyDefaults.AuthenticationScheme;
            })
            .AddScheme<ApiKeyAuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.AuthenticationScheme, _ => { });

        if (jwtEnabled)
        {
            authentication.AddJwtBearer();
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<IOptions<PlatformAuthOptions>>((jwt, auth) =>
                {
                    var settings = auth.Value.Jwt;
                    jwt.Authority = settings.Authority;
                    jwt.Audience = settings.Audience;
                    jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                    // Keep "scope"/"scp" as sent; the legacy mapping renames scp to a long schema URI.
                    jwt.MapInboundClaims = false;
                    jwt.TokenValidationParameters.NameClaimType = "sub";
                });
        }

        services.AddAuthorization(options =>
        {
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationPolicyProvider, ScopePolicyProvider>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, GrpcAwareAuthorizationResultHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ScopeAuthorizationHandler>());
    }

    private sealed class AuthenticationStartupReport(ApiKeyStore keys, IOptions<PlatformAuthOptions> options, ILogger<AuthenticationStartupReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var jwt = options.Value.Jwt.Authority;
            if (keys.Count == 0 && string.IsNullOrWhiteSpace(jwt))
            {
                logger.LogWarning(
                    "No API keys under {Section}:ApiKeys and no {Section}:Jwt:Authority: every call except health and metrics will be rejected",
                    PlatformAuthOptions.SectionPath, PlatformAuthOptions.SectionPath);
            }
            else
            {
                logger.LogInformation("Accepting {ApiKeyCount} API keys; bearer tokens from {JwtAuthority}", keys.Count, jwt ?? "(none)");
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>
/// gRPC callers get a gRPC status instead of a bare HTTP 401/403, so the client sees a readable reason
/// ("requires scope order.admin") rather than "Bad gRPC response. HTTP status code: 403".
/// </summary>
internal sealed class GrpcAwareAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !IsGrpc(context.Request))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Challenged)
        {
            // Challenging still runs so bearer clients get their WWW-Authenticate header.
            if (policy.AuthenticationSchemes.Count > 0)
            {
                foreach (var scheme in policy.AuthenticationSchemes)
                {
                    await context.ChallengeAsync(scheme);
                }
            }
            else
            {
                await context.ChallengeAsync();
            }

            WriteStatus(context, StatusCode.Unauthenticated,
                $"Authentication required: send an API key in the {ApiKeyDefaults.HeaderName} header or a bearer token.");
            return;
        }

        var missingScopes = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(requirement => requirement.Scope).ToList();
        WriteStatus(context, StatusCode.PermissionDenied, missingScopes is { Count: > 0 }
            ? $"The caller lacks scope {string.Join(", ", missingScopes)}."
            : "The caller is not allowed to make this call.");
    }

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    // A "trailers-only" response: HTTP 200 with grpc-status in the headers is how gRPC servers answer a call
    // they reject before reading it.
    private static void WriteStatus(HttpContext context, StatusCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }
}
