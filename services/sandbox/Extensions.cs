using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Sandbox.Control;
using Platform.Sandbox.Faults;
using Platform.Sandbox.Systems;
using Platform.Sandbox.Systems.Erp;
using Platform.Sandbox.Systems.Magento;
using Platform.Sandbox.Systems.Stock;

namespace Platform.Sandbox;

public static class SandboxExtensions
{
    /// <summary>
    /// Registers the simulated systems, the stock feeds, their settings (validated at start), the fault injector and the
    /// counters.
    /// </summary>
    public static WebApplicationBuilder AddSandbox(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var generated = SandboxCredentials.GenerateMissing(builder.Configuration);
        services.AddSingleton(new GeneratedCredentials(generated));
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section).ValidateOnStart();

        AddSystem<MagentoSystem, MagentoOptions>(services, MagentoOptions.Section, o => o.Problem());
        AddSystem<ShopifySystem, ShopifyOptions>(services, ShopifyOptions.Section, o => Present(o.AccessToken, "AccessToken"));
        AddSystem<ErpSystem, ErpOptions>(services, ErpOptions.Section, o => o.Problem());
        AddSystem<PimSystem, PimOptions>(services, PimOptions.Section, o =>
            Present(o.ClientId, "ClientId") ?? Present(o.ClientSecret, "ClientSecret") ?? Present(o.Username, "Username")
            ?? Present(o.Password, "Password") ?? (o.TokenLifetimeSeconds > 0 ? null : "TokenLifetimeSeconds must be positive"));
        AddSystem<TplSystem, TplOptions>(services, TplOptions.Section, o => Present(o.ApiToken, "ApiToken"));
        AddSystem<CrmSystem, CrmOptions>(services, CrmOptions.Section, o => Present(o.AccessToken, "AccessToken"));
        AddSettings<StockOptions>(services, StockOptions.Section, o => o.Problem());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<SandboxCounters>();

        services.AddSingleton<MagentoWebhooks>();
        services.AddHostedService(provider => provider.GetRequiredService<MagentoWebhooks>());
        services.AddSingleton<MagentoSales>();
        services.AddSingleton(provider => new MagentoOrderGenerator(
            provider.GetRequiredService<IOptions<MagentoOptions>>().Value.Orders,
            provider.GetRequiredService<IOptions<SandboxOptions>>().Value.Seed));
        services.AddSingleton(provider => new ErpSkuPolicy(provider.GetRequiredService<IOptions<ErpOptions>>().Value.SkuSettings()));
        services.AddSingleton<ErpLedger>();

        services.AddSingleton<MagentoSourceItems>();
        services.AddSingleton<MagentoBulks>();
        services.AddHostedService(provider => provider.GetRequiredService<MagentoBulks>());
        services.AddSingleton<StockChangeLog>();
        services.AddSingleton<StockFeed>();
        return builder;
    }

    /// <summary>
    /// Mounts every simulated system under <c>/{system}/</c> and the control endpoints under <c>/_sandbox</c> (the stock
    /// feeds' under <c>/_sandbox/stock</c>), and adds the sandbox middleware. Call after anything that must run before it
    /// (authentication of <c>/_sandbox</c>) and with routing before it (WebApplication's implicit routing, or an explicit
    /// UseRouting first).
    /// </summary>
    /// <returns>The control group, so the host can put its own authorization on it.</returns>
    public static RouteGroupBuilder MapSandbox(this WebApplication app)
    {
        // Resolving it here makes a bad Sandbox:Faults setting fail at start, not on the first request.
        _ = app.Services.GetRequiredService<FaultInjector>();
        if (app.Services.GetRequiredService<GeneratedCredentials>().Keys is { Count: > 0 } made)
        {
            app.Logger.LogInformation("Credentials made up for this run (read them at GET /_sandbox/credentials): {Keys}", string.Join(", ", made));
        }

        app.UseMiddleware<SandboxMiddleware>();
        foreach (var system in app.Services.GetServices<SimulatedSystem>())
        {
            // Each simulated system checks its own kind of credential, as the real one would; the platform's
            // API keys guard only the control endpoints.
            var routes = app.MapGroup(system.Prefix).AllowAnonymous();
            system.MapEndpoints(routes);
            // Catch-all routes rank below every other template, so this only answers paths the system does not have.
            routes.Map("/{**path}", system.WriteNotFoundAsync).WithMetadata(UnmatchedRoute.Instance);
        }

        return app.MapSandboxControl();
    }

    /// <summary>Which credentials were made up at start (names only: values are never logged).</summary>
    public sealed record GeneratedCredentials(IReadOnlyList<string> Keys);

    private static void AddSystem<TSystem, TOptions>(IServiceCollection services, string section, Func<TOptions, string?> problem)
        where TSystem : SimulatedSystem
        where TOptions : class
    {
        AddSettings(services, section, problem);
        services.AddSingleton<SimulatedSystem, TSystem>();
    }

    private static void AddSettings<TOptions>(IServiceCollection services, string section, Func<TOptions, string?> problem)
        where TOptions : class
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new SettingsCheck<TOptions>(section, problem));
    }

    private static string? Present(string value, string name) => string.IsNullOrWhiteSpace(value) ? $"{name} is required" : null;

    /// <summary>Names what is wrong, so a bad setting stops the start with a message that says which one.</summary>
    private sealed class SettingsCheck<TOptions>(string section, Func<TOptions, string?> problem) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) =>
            problem(options) is { } found ? ValidateOptionsResult.Fail($"{section} is incomplete or invalid: {found}") : ValidateOptionsResult.Success;
    }
}
