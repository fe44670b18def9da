using Newtonsoft.Json.Linq;

namespace Platform.Deployment.Tests;

/// <summary>The values.schema.json files themselves: draft-07, closed at every level they define, every property described.</summary>
public sealed class ChartSchemaTests
{
    private const string Draft07 = "http://json-schema.org/draft-07/schema#";

    public static TheoryData<string> SchemaFiles => ChartFiles.Theory(
        [.. ChartFiles.ChartsWithValues.Select(chart => $"{chart}/values.schema.json"), $"{ChartFiles.LibraryChart}/{ChartFiles.LibraryValuesContract}"]);

    public static TheoryData<string> ServiceCharts => ChartFiles.Theory(ChartFiles.ServiceCharts);

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public async Task Schema_is_draft_07_and_loads(string file)
    {
        var schema = ReadSchema(file);
        Assert.Equal(Draft07, (string?)schema["$schema"]);
        Assert.Equal("object", (string?)schema["type"]);
        var loaded = await NJsonSchema.JsonSchema.FromJsonAsync(schema.ToString());
        Assert.NotEmpty(loaded.Properties);
    }

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public void Every_defined_level_refuses_unknown_keys_and_every_property_is_described(string file)
    {
        var problems = new List<string>();
        CheckNode(ReadSchema(file), "", problems, isUmbrella: file.StartsWith(ChartFiles.UmbrellaChart + "/", StringComparison.Ordinal));
        Assert.True(problems.Count == 0, $"{file}:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void The_structure_check_finds_an_open_level_and_a_missing_description()
    {
        var schema = JObject.Parse("""
            { "type": "object", "properties": {
                "image": { "type": "object", "description": "Image.", "properties": { "tag": { "type": "string" } } } },
              "additionalProperties": false }
            """);
        var problems = new List<string>();
        CheckNode(schema, "", problems, isUmbrella: false);
        Assert.Contains(problems, problem => problem.StartsWith("image:", StringComparison.Ordinal) && problem.Contains("additionalProperties", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("image.tag:", StringComparison.Ordinal) && problem.Contains("description", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void A_service_chart_carries_the_library_values_contract_unchanged(string chart)
    {
        var contract = ReadSchema($"{ChartFiles.LibraryChart}/{ChartFiles.LibraryValuesContract}");
        var schema = ReadSchema($"{chart}/values.schema.json");
        Assert.True(JToken.DeepEquals(contract, schema),
            $"charts/{chart}/values.schema.json differs from charts/{ChartFiles.LibraryChart}/{ChartFiles.LibraryValuesContract}; copy the contract over it");
    }

    [Fact]
    public void The_umbrella_global_section_is_the_one_the_service_charts_accept()
    {
        var umbrella = ReadSchema($"{ChartFiles.UmbrellaChart}/values.schema.json");
        var contract = ReadSchema($"{ChartFiles.LibraryChart}/{ChartFiles.LibraryValuesContract}");
        Assert.True(JToken.DeepEquals(contract["properties"]!["global"], umbrella["properties"]!["global"]));
        Assert.Equal(
            ["global", .. ChartFiles.ServiceCharts],
            ((JObject)umbrella["properties"]!).Properties().Select(property => property.Name));
    }

    private static JObject ReadSchema(string file) => JObject.Parse(File.ReadAllText(Path.Combine(ChartFiles.ChartsDirectory, file)));

    private static void CheckNode(JObject node, string path, List<string> problems, bool isUmbrella)
    {
        var shown = path.Length == 0 ? "(top level)" : path;
        if (node["properties"] is JObject properties)
        {
            var additional = node["additionalProperties"];
            var umbrellaServiceSection = isUmbrella && ChartFiles.ServiceCharts.Contains(path);
            if (umbrellaServiceSection)
            {
                // The umbrella defines only "enabled" here; the service chart's own closed schema checks the rest.
                if (additional?.Type != JTokenType.Boolean || !(bool)additional)
                {
                    problems.Add($"{shown}: a service section must pass its keys through to the {path} chart's schema");
                }
            }
            else if (additional?.Type != JTokenType.Boolean || (bool)additional)
            {
                problems.Add($"{shown}: defines properties, so it needs \"additionalProperties\": false");
            }

            foreach (var property in properties.Properties())
            {
                var child = (JObject)property.Value;
                var childPath = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                if (string.IsNullOrWhiteSpace((string?)child["description"]))
                {
                    problems.Add($"{childPath}: needs a description");
                }

                CheckNode(child, childPath, problems, isUmbrella);
            }
        }
        else if (node["type"] is JValue { Type: JTokenType.String } type && (string?)type == "object" && node["additionalProperties"] is null && node["patternProperties"] is null && node["$ref"] is null)
        {
            problems.Add($"{shown}: an object without properties must say what its entries may be (additionalProperties)");
        }

        if (node["items"] is JObject items)
        {
            CheckNode(items, path + "[]", problems, isUmbrella);
        }

        if (node["additionalProperties"] is JObject entries)
        {
            CheckNode(entries, path + ".*", problems, isUmbrella);
        }

        if (node["definitions"] is JObject definitions)
        {
            foreach (var definition in definitions.Properties())
            {
                CheckNode((JObject)definition.Value, $"definitions.{definition.Name}", problems, isUmbrella);
            }
        }

        // anyOf, oneOf, allOf and not are left alone: they state conditions over properties defined above, with
        // no properties of their own to describe or close.
    }
}
