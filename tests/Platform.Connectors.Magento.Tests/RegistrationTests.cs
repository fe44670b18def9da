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
        var inventory = Assert.IsType<MagentoInventoryClient>(provider.GetRequiredService<IMagentoInventoryClient>());
        Assert.Equal(20, inventory.InputLimit);
    }

    [Fact]
    public void A_negative_input_limit_stops_the_start_with_the_key_named()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Connectors:magento:BaseAddress"] = "http://127.0.0.1:9/magento",
            ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
            ["Platform:Connectors:magento:Authentication:Token"] = "t",
            ["Platform:Connectors:magento:Inventory:InputLimit"] = "-1",
        }).Build();
        var services = new ServiceCollection();
        services.AddMagentoConnector(configuration);
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Platform:Connectors:magento:Inventory:InputLimit must be 0 (unlimited) or more", failure.Failures);
    }

    [Fact]
    public async Task Both_clients_share_one_http_client_configuration()
    {
        await using var remote = await Platform.Connectors.Testing.FakeRemote.StartAsync("/magento/", (context, _) =>
            Platform.Connectors.Testing.FakeRemote.WriteJsonAsync(context, 200, """{"items":[],"total_count":0}"""));
        await using var harness = Infrastructure.MagentoHarness.Create(remote);

        await harness.Client.ListOrdersUpdatedSinceAsync("default", DateTimeOffset.UnixEpoch, 10, 1);
        await harness.Services.GetRequiredService<IMagentoInventoryClient>().ListSourceItemsAsync("default", ["A"], null, 10, 1);

        Assert.Equal(["rest/default/V1/orders", "rest/default/V1/inventory/source-items"], remote.Requests.Select(r => r.Path));
        Assert.All(remote.Requests, r => Assert.Equal($"Bearer {Infrastructure.MagentoHarness.Token}", r.Headers["Authorization"]));
    }
}
