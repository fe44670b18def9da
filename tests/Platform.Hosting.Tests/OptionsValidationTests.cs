using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Platform.Hosting.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public async Task Out_of_range_port_fails_start_naming_the_full_key()
    {
        var settings = TestApp.DefaultSettings();
        settings["Platform:Hosting:GrpcPort"] = "70000";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        Assert.Contains("Platform:Hosting:GrpcPort must be between 0 and 65535 (was 70000)", Flatten(error));
    }

    [Fact]
    public async Task Bind_address_that_is_not_an_ip_fails_start()
    {
        var settings = TestApp.DefaultSettings();
        settings["Platform:Hosting:BindAddress"] = "localhost";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        Assert.Contains("Platform:Hosting:BindAddress must be an IP address", Flatten(error));
    }

    [Fact]
    public async Task Api_key_without_hash_or_key_fails_start_naming_the_list_entry()
    {
        var settings = TestApp.DefaultSettings();
        settings["Platform:Auth:ApiKeys:4:Name"] = "half-configured";
        settings["Platform:Auth:ApiKeys:5:Key"] = "nameless-key-0123456789";
        settings["Platform:Auth:ApiKeys:5:Scopes:0"] = "Order.Read";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));
        var message = Flatten(error);

        Assert.Contains("Platform:Auth:ApiKeys:4 must set exactly one of KeyHash or Key", message);
        Assert.Contains("Platform:Auth:ApiKeys:5:Name is required", message);
        Assert.Contains("Platform:Auth:ApiKeys:5:Scopes must hold scopes such as order.read (was Order.Read)", message);
    }

    [Fact]
    public async Task Jwt_authority_without_audience_fails_start()
    {
        var settings = TestApp.DefaultSettings();
        settings["Platform:Auth:Jwt:Authority"] = "https://idp.example.test/realms/platform";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        Assert.Contains("Platform:Auth:Jwt:Audience is required when Platform:Auth:Jwt:Authority is set", Flatten(error));
    }

    [Fact]
    public async Task Jwt_authority_over_plain_http_fails_start_unless_allowed()
    {
        var settings = TestApp.DefaultSettings();
        settings["Platform:Auth:Jwt:Authority"] = "http://idp.example.test/realms/platform";
        settings["Platform:Auth:Jwt:Audience"] = "hostingtest";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        Assert.Contains("Platform:Auth:Jwt:Authority must use https unless Platform:Auth:Jwt:RequireHttpsMetadata is false", Flatten(error));
    }

    [Fact]
    public void Registering_the_same_section_twice_binds_and_reports_once()
    {
        using var valid = RegisterTwice(new() { ["Sample:Section:Endpoints:0:Url"] = "https://a.example.test" });
        using var invalid = RegisterTwice(new() { ["Sample:Section:Retries"] = "11" });

        var failure = Assert.Throws<OptionsValidationException>(() => invalid.GetRequiredService<IOptions<SampleOptions>>().Value);

        Assert.Single(valid.GetRequiredService<IOptions<SampleOptions>>().Value.Endpoints);
        Assert.Equal(["Sample:Section:Retries must be between 0 and 10 (was 11)"], failure.Failures);
    }

    [Fact]
    public void Nested_lists_report_indexed_keys_and_custom_messages()
    {
        var options = Validate<SampleOptions>("Sample:Section", new()
        {
            ["Sample:Section:Name"] = "x",
            ["Sample:Section:Retries"] = "-1",
            ["Sample:Section:Endpoints:0:Url"] = "https://a.example.test",
            ["Sample:Section:Endpoints:0:TimeoutSeconds"] = "5",
            ["Sample:Section:Endpoints:1:TimeoutSeconds"] = "500",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);

        Assert.Contains("Sample:Section:Retries must be between 0 and 10 (was -1)", failure.Failures);
        Assert.Contains("Sample:Section:Endpoints:1:Url is required", failure.Failures);
        Assert.Contains("Sample:Section:Endpoints:1:TimeoutSeconds must be between 1 and 60 (was 500)", failure.Failures);
        Assert.Contains("Sample:Section:Name: pick a name that says what the section is for (was x)", failure.Failures);
        Assert.Equal(4, failure.Failures.Count());
    }

    [Fact]
    public void Values_of_secret_looking_properties_are_not_echoed()
    {
        var options = Validate<SampleOptions>("Sample:Section", new()
        {
            ["Sample:Section:Password"] = "hunter2",
            ["Sample:Section:Name"] = "orders",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);

        var message = Assert.Single(failure.Failures);
        Assert.Equal("Sample:Section:Password must have at least 12 entries or characters (was [redacted])", message);
        Assert.DoesNotContain("hunter2", failure.Message);
    }

    [Fact]
    public void Valid_options_pass_and_further_validators_still_run()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sample:Section:Name"] = "orders",
        }).Build());
        services.AddValidatedOptions<SampleOptions>("Sample:Section")
            .Validate(sample => sample.Retries != 3, "Sample:Section:Retries must not be 3");
        using var provider = services.BuildServiceProvider();

        Assert.Equal("orders", provider.GetRequiredService<IOptions<SampleOptions>>().Value.Name);
    }

    private static IOptions<TOptions> Validate<TOptions>(string section, Dictionary<string, string?> settings) where TOptions : class
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddValidatedOptions<TOptions>(section);
        return services.BuildServiceProvider().GetRequiredService<IOptions<TOptions>>();
    }

    private static ServiceProvider RegisterTwice(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddValidatedOptions<SampleOptions>("Sample:Section");
        services.AddValidatedOptions<SampleOptions>("Sample:Section");
        return services.BuildServiceProvider();
    }

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (Exception? current = error; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
            if (current is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(inner => inner.Message));
            }
        }

        return string.Join(" | ", messages);
    }

    public sealed class SampleOptions : IValidatableObject
    {
        public string Name { get; set; } = "default";

        [Range(0, 10)]
        public int Retries { get; set; } = 2;

        [MinLength(12)]
        public string? Password { get; set; }

        public List<EndpointOptions> Endpoints { get; set; } = [];

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (Name.Length < 2)
            {
                yield return new ValidationResult($"pick a name that says what the section is for (was {Name})", [nameof(Name)]);
            }
        }
    }

    public sealed class EndpointOptions
    {
        [Required]
        public string? Url { get; set; }

        [Range(1, 60)]
        public int TimeoutSeconds { get; set; } = 10;
    }
}
