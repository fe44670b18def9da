using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Platform.Connectors.Magento.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void A_scheme_other_than_bearer_stops_the_start_with_the_key_named()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Connectors:magento:BaseAddress"] = "http://127.0.0.1:9/magento/",
        }).Build();
        var services = new ServiceCollection();
        services.AddMagentoConnector(configuration);
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(
            "Platform:Connectors:magento:Authentication:Scheme must be Bearer (Magento integration access token in Platform:Connectors:magento:Authentication:Token)",
            failure.Failures);
    }

    [Fact]
    public void A_complete_configuration_resolves_the_client()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Connectors:magento:BaseAddress"] = "http://127.0.0.1:9/magento",
            ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
            ["Platform:Connectors:magento:Authentication:Token"] = "t",
        }).Build();
        var services = new ServiceCollection();
        services.AddMagentoConnector(configuration);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsType<MagentoClient>(provider.GetRequiredService<IMagentoClient>());
    }
}
