using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Platform.Ownership.Tests;

public sealed class AddOwnershipPolicyTests
{
    [Fact]
    public async Task Without_settings_the_default_policy_is_used()
    {
        using var host = BuildHost(new Dictionary<string, string?>());

        await host.StartAsync();

        var guard = host.Services.GetRequiredService<OwnershipGuard>();
        Assert.Equal("built-in:magento", guard.Policy.Source);
        Assert.Same(guard.Policy, host.Services.GetRequiredService<OwnershipPolicy>());
        Assert.True(guard.IsOwner("magento", "order", "lines"));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_built_in_shopify_policy_can_be_chosen()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["Platform:Ownership:BuiltInPolicy"] = "shopify" });

        await host.StartAsync();

        Assert.True(host.Services.GetRequiredService<OwnershipGuard>().IsOwner("shopify", "order", "lines"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_policy_file_is_read_from_PolicyPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, """
            systems: [shopify, erp]
            objects:
              product: [price]
            owners:
              erp: { product: [price] }
            """);
        try
        {
            using var host = BuildHost(new Dictionary<string, string?> { ["Platform:Ownership:PolicyPath"] = path });

            await host.StartAsync();

            var policy = host.Services.GetRequiredService<OwnershipPolicy>();
            Assert.Equal(path, policy.Source);
            Assert.Equal(["shopify", "erp"], policy.Systems);
            await host.StopAsync();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_invalid_policy_stops_the_start_with_every_problem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, """
            systems: [pim, erp]
            objects:
              product: [name, price, media]
            owners:
              pim: { product: [name, price] }
              erp: { product: [price] }
            """);
        try
        {
            using var host = BuildHost(new Dictionary<string, string?> { ["Platform:Ownership:PolicyPath"] = path });

            var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

            Assert.Contains("ownership policy: product.price is owned by both erp and pim", failure.Message);
            Assert.Contains("ownership policy: product.media has no owner", failure.Message);
            Assert.Contains(path, failure.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_missing_policy_file_stops_the_start()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["Platform:Ownership:PolicyPath"] = "policies/missing.yaml" });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "policies", "missing.yaml") + " does not exist", failure.Message);
    }

    [Fact]
    public void Resolving_the_guard_of_an_invalid_policy_fails_with_the_problems()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Platform:Ownership:BuiltInPolicy"] = "nope" })
            .Build();
        using var services = new ServiceCollection().AddOwnershipPolicy(configuration).BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<OwnershipGuard>());

        Assert.Contains("no built-in policy named 'nope'", failure.Message);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOwnershipPolicy(builder.Configuration);
        return builder.Build();
    }
}
