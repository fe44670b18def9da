using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Connectors.Erp.Mapping;

namespace Platform.Connectors.Erp;

// Bound from Platform:Connectors:erp. Mapping: a built-in mapping name or a YAML/JSON file path.
public sealed class ErpConnectorOptions
{
    public string Mapping { get; set; } = ErpMappingLoader.DefaultMapping;
}

public static class ErpServiceCollectionExtensions
{
    public const string SystemName = "erp";

    public const string ApiKeyHeader = "X-Api-Key";

    // IErpClient and IErpStockClient from Platform:Connectors:erp (BaseAddress up to the ERP root or the
    // sandbox's /erp/ prefix; Authentication:Scheme ApiKey with Authentication:Key, the header defaulting to
    // X-Api-Key), and the ErpMapping named by Platform:Connectors:erp:Mapping. Both are validated at start,
    // every problem of the mapping file listed with its line.
    public static IHttpClientBuilder AddErpConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sectionPath = $"{ConnectorOptions.SectionName}:{SystemName}";
        var builder = services.AddConnector<IErpClient, ErpClient>(SystemName, configuration);
        // A second typed view of the one "erp" HttpClient: the stock pull spends the same rate limit and trips
        // the same circuit breaker as the order exports, as the ERP sees them as one client.
        builder.AddTypedClient<IErpStockClient, ErpStockClient>();
        services.PostConfigure<ConnectorOptions>(SystemName, options =>
        {
            if (options.Authentication.Scheme == ConnectorAuthenticationScheme.ApiKey && string.IsNullOrEmpty(options.Authentication.HeaderName))
            {
                options.Authentication.HeaderName = ApiKeyHeader;
            }
        });
        services.AddSingleton<IValidateOptions<ConnectorOptions>>(new ErpAuthenticationValidator(sectionPath));
        services.AddOptions<ErpConnectorOptions>()
            .Bind(configuration.GetSection(sectionPath))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ErpConnectorOptions>>(new ErpMappingValidator(sectionPath));
        services.AddSingleton(provider => ErpMappingLoader.Load(provider.GetRequiredService<IOptions<ErpConnectorOptions>>().Value.Mapping));
        return builder;
    }

    private sealed class ErpAuthenticationValidator(string sectionPath) : IValidateOptions<ConnectorOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConnectorOptions options) =>
            name != SystemName ? ValidateOptionsResult.Skip
            : options.Authentication.Scheme == ConnectorAuthenticationScheme.ApiKey ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{sectionPath}:Authentication:Scheme must be ApiKey (the key in {sectionPath}:Authentication:Key, sent as {ApiKeyHeader})");
    }

    // Loads the mapping once at start so a broken file stops the host with its problems listed, instead of
    // failing the first order export.
    private sealed class ErpMappingValidator(string sectionPath) : IValidateOptions<ErpConnectorOptions>
    {
        public ValidateOptionsResult Validate(string? name, ErpConnectorOptions options)
        {
            try
            {
                ErpMappingLoader.Load(options.Mapping);
                return ValidateOptionsResult.Success;
            }
            catch (ErpMappingException exception)
            {
                return ValidateOptionsResult.Fail(exception.Problems.Select(p => $"{sectionPath}:Mapping ({exception.MappingSource}): {p}"));
            }
        }
    }
}
