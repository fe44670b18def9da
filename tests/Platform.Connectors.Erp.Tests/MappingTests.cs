using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Connectors.Erp.Mapping;

namespace Platform.Connectors.Erp.Tests;

public sealed class MappingTests
{
    private static readonly string DefaultText = ReadBuiltIn();

    private static string ReadBuiltIn()
    {
        using var stream = typeof(ErpMapping).Assembly.GetManifestResourceStream(ErpMappingLoader.DefaultMapping)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static IReadOnlyList<string> Problems(string yaml, string source = "test.yaml") =>
        Assert.Throws<ErpMappingException>(() => ErpMappingLoader.Parse(yaml, source)).Problems;

    private static string Edit(string find, string replace)
    {
        Assert.Contains(find, DefaultText, StringComparison.Ordinal);
        return DefaultText.Replace(find, replace, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_mapping_is_built_in_and_valid()
    {
        var mapping = ErpMappingLoader.Load(null);

        Assert.Equal(1, mapping.Version);
        Assert.Equal("erp-mapping.v1.yaml", mapping.Source);
        Assert.Equal(new ErpTransforms("", ErpTextCase.AsIs, ErpTextCase.Upper, 4), mapping.Transforms);
        Assert.Contains("erp-mapping.v1.yaml", ErpMappingLoader.BuiltInMappings);
        // The file beside the code is the one embedded.
        var shipped = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "shared", "Platform.Connectors.Erp", "Mapping", "erp-mapping.v1.yaml");
        Assert.Equal(File.ReadAllText(shipped), DefaultText);
    }

    [Fact]
    public void Unknown_and_unmapped_fields_are_reported_with_their_lines()
    {
        var problems = Problems(Edit("  shipTo.country: shipTo.country\n", "  shipto.country: shipTo.country\n"));

        Assert.Equal(2, problems.Count);
        Assert.Matches(@"^line \d+: salesOrder: unknown field 'shipto.country'; known fields: orderReference, storeCode", problems[0]);
        Assert.Matches(@"^line \d+: salesOrder.shipTo.country is not mapped \(map it, or write ~ to leave it out\)$", problems[1]);
    }

    [Fact]
    public void A_required_field_cannot_be_left_out()
    {
        var problems = Problems(Edit("  lines[].sku: lines[].sku\n  lines[].quantity", "  lines[].sku: ~\n  lines[].quantity"));

        Assert.Matches(@"^line \d+: salesOrder.lines\[\].sku is required and cannot be left out \(~\)$", Assert.Single(problems));
    }

    [Fact]
    public void Target_paths_are_checked()
    {
        var problems = Problems(Edit("  orderNumber: orderNumber\n", "  orderNumber: order number\n")
            .Replace("  lines[].tax: lines[].tax\n", "  lines[].tax: tax\n", StringComparison.Ordinal)
            .Replace("  totals.tax: totals.tax\n", "  totals.tax: totals[].tax\n", StringComparison.Ordinal)
            .Replace("  lines[].discount: lines[].discount\n", "  lines[].discount: discounts[].value\n", StringComparison.Ordinal));

        Assert.Contains(problems, p => p.EndsWith("salesOrder.orderNumber: 'order number' is not a target path (property names of letters, digits, '_' or '-', separated by '.', one of them may end in [])", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.EndsWith("salesOrder.lines[].tax: 'tax' must name the array the lines go into and the property inside each line, e.g. lines[].tax", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.EndsWith("salesOrder.totals.tax: 'totals[].tax' puts a field that is not a line field into an array", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("salesOrder: the fields of lines[] go into different arrays (lines, discounts)", StringComparison.Ordinal));
    }

    [Fact]
    public void Fields_written_over_each_other_are_refused()
    {
        var problems = Problems(Edit("  storeCode: store\n", "  storeCode: orderReference\n")
            .Replace("  guest: guest\n", "  guest: shipTo\n", StringComparison.Ordinal)
            .Replace("  revision: revision\n", "  revision: lines.revision\n", StringComparison.Ordinal));

        Assert.Contains("salesOrder: orderReference (orderReference) and storeCode (orderReference) are written to the same place", problems);
        Assert.Contains("salesOrder: guest (shipTo) and shipTo.country (shipTo.country) are written to the same place", problems);
        Assert.Contains("salesOrder: revision (lines.revision) is written inside the array lines that holds the lines", problems);
    }

    [Fact]
    public void Version_and_transforms_are_checked()
    {
        var problems = Problems(
            Edit("version: 1\n", "version: one\n")
                .Replace("quantityDecimals: 4", "quantityDecimals: 9", StringComparison.Ordinal)
                .Replace("currencyCase: upper", "currencyCase: shouting", StringComparison.Ordinal)
                .Replace("  skuPrefix: \"\"", "  skuPrefix: \"\"\n  skuSuffix: x", StringComparison.Ordinal),
            "erp-mapping.v1.yaml");

        Assert.Contains(problems, p => p.EndsWith("version must be a positive whole number, found 'one'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.EndsWith("transforms.quantityDecimals must be a whole number from 0 to 6, found '9'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.EndsWith("transforms.currencyCase must be asIs, upper or lower, found 'shouting'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.EndsWith("transforms: unknown key 'skuSuffix'; expected skuPrefix, skuCase, currencyCase, quantityDecimals", StringComparison.Ordinal));
    }

    [Fact]
    public void The_version_must_agree_with_the_file_name()
    {
        var problems = Problems(DefaultText.Replace("version: 1", "version: 2", StringComparison.Ordinal), "/etc/platform/erp-mapping.v1.yaml");

        Assert.Matches(@"^line \d+: version is 2 but the file name says v1$", Assert.Single(problems));
    }

    [Fact]
    public void Missing_documents_broken_yaml_and_unknown_top_level_keys_are_reported()
    {
        var problems = Problems("version: 1\nsalesOrders: {}\n");
        Assert.Contains("line 2: unknown key 'salesOrders'; expected version, transforms, salesOrder, cancellation, creditNote", problems);
        Assert.Contains(problems, p => p.StartsWith("salesOrder is missing; it must map every field: orderReference, storeCode,", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("creditNote is missing", StringComparison.Ordinal));

        Assert.Matches(@"^line \d+, column \d+: not valid YAML or JSON", Assert.Single(Problems("version: 1\nsalesOrder: [unclosed\n")));
        Assert.Equal(
            "the mapping must be a mapping with version, transforms, salesOrder, cancellation and creditNote",
            Assert.Single(Problems("- just\n- a list\n")));
    }

    [Fact]
    public void An_unknown_mapping_name_lists_the_built_in_ones()
    {
        var failure = Assert.Throws<ErpMappingException>(() => ErpMappingLoader.Load("erp-mapping.v9.yaml"));

        Assert.Contains("and not a built-in mapping (built in: erp-mapping.v1.yaml)", Assert.Single(failure.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_mapping_stops_the_start_with_the_setting_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"erp-mapping-{Guid.NewGuid():N}.v1.yaml");
        File.WriteAllText(path, Edit("  reason: reason\n", ""));
        try
        {
            using var provider = Provider(new Dictionary<string, string?> { ["Platform:Connectors:erp:Mapping"] = path });

            var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

            var message = Assert.Single(failure.Failures);
            Assert.StartsWith($"Platform:Connectors:erp:Mapping ({path}): line ", message, StringComparison.Ordinal);
            Assert.EndsWith("cancellation.reason is not mapped (it is required)", message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_erp_authenticates_with_an_api_key_in_x_api_key_by_default()
    {
        using var wrongScheme = Provider(new Dictionary<string, string?> { ["Platform:Connectors:erp:Authentication:Scheme"] = "Bearer", ["Platform:Connectors:erp:Authentication:Token"] = "t" });
        var failure = Assert.Throws<OptionsValidationException>(() => wrongScheme.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(
            "Platform:Connectors:erp:Authentication:Scheme must be ApiKey (the key in Platform:Connectors:erp:Authentication:Key, sent as X-Api-Key)",
            failure.Failures);

        using var apiKey = Provider(new Dictionary<string, string?> { ["Platform:Connectors:erp:Authentication:Scheme"] = "ApiKey", ["Platform:Connectors:erp:Authentication:Key"] = "k" });
        apiKey.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal("X-Api-Key", apiKey.GetRequiredService<IOptionsMonitor<ConnectorOptions>>().Get("erp").Authentication.HeaderName);
        Assert.Equal(1, apiKey.GetRequiredService<ErpMapping>().Version);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        settings["Platform:Connectors:erp:BaseAddress"] = "http://127.0.0.1:9/erp/";
        settings.TryAdd("Platform:Connectors:erp:Authentication:Scheme", "ApiKey");
        settings.TryAdd("Platform:Connectors:erp:Authentication:Key", "k");
        var services = new ServiceCollection();
        services.AddErpConnector(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }
}
