using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests;

public sealed class ValidationTests
{
    [Fact]
    public async Task Missing_BaseAddress_fails_resolution_naming_the_key()
    {
        var settings = ConnectorHarness.FastSettings("erp", "unused");
        settings.Remove("Platform:Connectors:erp:BaseAddress");
        await using var harness = ConnectorHarness.Create("erp", settings);

        var failure = Assert.Throws<OptionsValidationException>(() => harness.Client);

        Assert.Contains("Platform:Connectors:erp:BaseAddress is required", failure.Message);
    }

    [Fact]
    public async Task Missing_BaseAddress_fails_host_start_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Connectors:magento:RateLimit:PermitsPerSecond"] = "4",
        });
        builder.Services.AddConnector<IProbeClient, ProbeClient>("magento", builder.Configuration);
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Platform:Connectors:magento:BaseAddress is required", failure.Message);
    }

    [Fact]
    public void Every_bad_key_is_reported_at_once()
    {
        var settings = ConnectorHarness.FastSettings("pim", "ftp://files.example.com/");
        settings["Platform:Connectors:pim:AttemptTimeout"] = "00:01:00";
        settings["Platform:Connectors:pim:Retry:MaxRetryAttempts"] = "-1";
        settings["Platform:Connectors:pim:CircuitBreaker:FailureRatio"] = "0";
        settings["Platform:Connectors:pim:RateLimit:Burst"] = "0";
        settings["Platform:Connectors:pim:Authentication:Scheme"] = "ApiKey";
        settings["Platform:Connectors:pim:Authentication:Key"] = "k3y-that-must-not-leak";

        var failure = Assert.Throws<OptionsValidationException>(() => Options(settings, "pim"));

        Assert.Contains("Platform:Connectors:pim:BaseAddress must be an absolute http or https address", failure.Failures);
        Assert.Contains("Platform:Connectors:pim:AttemptTimeout must not exceed Platform:Connectors:pim:TotalTimeout", failure.Failures);
        Assert.Contains("Platform:Connectors:pim:Retry:MaxRetryAttempts must be between 0 and 100", failure.Failures);
        Assert.Contains(failure.Failures, f => f.StartsWith("Platform:Connectors:pim:CircuitBreaker:FailureRatio ", StringComparison.Ordinal));
        Assert.Contains("Platform:Connectors:pim:RateLimit:Burst must be at least 1", failure.Failures);
        Assert.Contains("Platform:Connectors:pim:Authentication:HeaderName is required when Authentication:Scheme is ApiKey", failure.Failures);
        Assert.Equal(6, failure.Failures.Count());
        Assert.DoesNotContain("k3y-that-must-not-leak", failure.Message);
    }

    [Fact]
    public void Valid_settings_pass()
    {
        var options = Options(ConnectorHarness.FastSettings("erp", "https://erp.example.com/api"), "erp");

        Assert.Equal(new Uri("https://erp.example.com/api/"), options.GetBaseUri());
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_its_key()
    {
        var settings = ConnectorHarness.FastSettings("erp", "https://erp.example.com/");
        settings["Platform:Connectors:erp:Retry:BaseDelay"] = "soon";

        var failure = Assert.ThrowsAny<InvalidOperationException>(() => Options(settings, "erp"));

        Assert.Contains("Platform:Connectors:erp:Retry:BaseDelay", failure.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Magento")]
    [InlineData("erp:eu")]
    public void System_names_must_be_simple(string system)
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentException>(() => services.AddConnector<IProbeClient, ProbeClient>(system, new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void One_typed_client_per_system()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().Build();
        services.AddConnector<IProbeClient, ProbeClient>("erp", configuration);

        var failure = Assert.Throws<InvalidOperationException>(() => services.AddConnector<IProbeClient, ProbeClient>("erp", configuration));

        Assert.Contains("'erp' is already registered", failure.Message);
    }

    private static ConnectorOptions Options(Dictionary<string, string?> settings, string system)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddConnector<IProbeClient, ProbeClient>(system, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<ConnectorOptions>>().Get(system);
    }
}
