using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Platform.Connectors.Magento;

public static class MagentoServiceCollectionExtensions
{
    public const string SystemName = "magento";

    // IMagentoClient and IMagentoInventoryClient from Platform:Connectors:magento (BaseAddress up to the Magento
    // root or the sandbox's /magento/ prefix; Authentication:Scheme Bearer with the integration access token),
    // MagentoWebhookOptions from Platform:Connectors:magento:Webhooks and MagentoInventoryOptions from
    // Platform:Connectors:magento:Inventory. All are validated at start.
    public static IHttpClientBuilder AddMagentoConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddConnector<IMagentoClient, MagentoClient>(SystemName, configuration);
        // Both clients are typed views of the one "magento" HttpClient: one base address, one token, and one
        // rate limiter and circuit breaker for everything this process sends to the store.
        builder.AddTypedClient<IMagentoInventoryClient, MagentoInventoryClient>();
        var sectionPath = $"{ConnectorOptions.SectionName}:{SystemName}";
        services.AddOptions<MagentoInventoryOptions>()
            .Bind(configuration.GetSection($"{sectionPath}:{MagentoInventoryOptions.SectionName}"))
            .Validate(
                o => o.InputLimit >= 0,
                $"{sectionPath}:{MagentoInventoryOptions.SectionName}:InputLimit must be 0 (unlimited) or more")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConnectorOptions>>(new MagentoAuthenticationValidator(sectionPath));
        services.AddOptions<MagentoWebhookOptions>()
            .Bind(configuration.GetSection($"{sectionPath}:{MagentoWebhookOptions.SectionName}"))
            .Validate(
                o => o.Tolerance > TimeSpan.Zero && o.Tolerance <= TimeSpan.FromHours(1),
                $"{sectionPath}:{MagentoWebhookOptions.SectionName}:Tolerance must be greater than 0 and at most 1 hour")
            .Validate(
                o => o.Secrets.All(s => !string.IsNullOrEmpty(s.Value)),
                $"{sectionPath}:{MagentoWebhookOptions.SectionName}:Secrets must not hold an empty secret")
            .ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<MagentoWebhookOptions>>().Value);
        return builder;
    }

    // Magento integrations authenticate with a bearer access token; anything else is a configuration slip
    // that would otherwise only show as 401s once traffic flows.
    private sealed class MagentoAuthenticationValidator(string sectionPath) : IValidateOptions<ConnectorOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConnectorOptions options) =>
            name != SystemName ? ValidateOptionsResult.Skip
            : options.Authentication.Scheme == ConnectorAuthenticationScheme.Bearer ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{sectionPath}:Authentication:Scheme must be Bearer (Magento integration access token in {sectionPath}:Authentication:Token)");
    }
}
