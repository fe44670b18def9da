using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Platform.Deployment.Tests;

/// <summary>No values file holds a secret: secret-named keys hold only references, and no value looks like a credential.</summary>
public sealed partial class ChartSecretScanTests
{
    public static TheoryData<string> ChartsWithValues => ChartFiles.Theory(ChartFiles.ChartsWithValues);

    [Theory]
    [MemberData(nameof(ChartsWithValues))]
    public void No_values_file_holds_a_secret(string chart)
    {
        var findings = Scan(ChartFiles.ReadChartFile(chart, "values.yaml"));
        Assert.True(findings.Count == 0, $"{chart}/values.yaml:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void No_template_creates_a_secret()
    {
        var offenders = ChartFiles.AllCharts()
            .SelectMany(ChartFiles.TemplateFiles)
            .Where(file => SecretKind().IsMatch(File.ReadAllText(file)))
            .ToList();
        Assert.True(offenders.Count == 0, "Secrets are referenced, never created by a chart:\n" + string.Join("\n", offenders));
    }

    [Theory]
    [InlineData("password: hunter2", "password")]
    [InlineData("redis:\n  connectionString: redis:6379,password=hunter2", "redis.connectionString")]
    [InlineData("auth:\n  token: abc", "auth.token")]
    [InlineData("settings:\n  Platform:Connectors:erp:Authentication:Key: abc", "settings.Platform:Connectors:erp:Authentication:Key")]
    [InlineData("bootstrap: \"user:hunter2@kafka:9092\"", "bootstrap")]
    [InlineData("note: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "note")]
    [InlineData("hash: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "hash")]
    [InlineData("existingSecret: \"redis:6379,password=x\"", "existingSecret")]
    [InlineData("passwordKey: \"pass word\"", "passwordKey")]
    public void The_scan_finds_a_secret_written_as_a_value(string yaml, string path)
    {
        var finding = Assert.Single(Scan(yaml));
        Assert.StartsWith(path + ":", finding, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", finding, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("existingSecret: platform-redis")]
    [InlineData("passwordKey: password")]
    [InlineData("connectionStringKey: connection-string")]
    [InlineData("secretEnv:\n  - name: Sandbox__Pim__Password\n    existingSecret: sandbox-credentials\n    key: pim-password")]
    [InlineData("password: \"\"")]
    [InlineData("digest: sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")]
    public void The_scan_accepts_references_and_empty_values(string yaml)
    {
        Assert.Empty(Scan(yaml));
    }

    /// <summary>Every place in a values file that holds or looks like a secret, as "path: reason" (never the value).</summary>
    public static List<string> Scan(string yaml)
    {
        var findings = new List<string>();
        ScanToken(ChartYaml.ToJson(yaml), "", findings);
        return findings;
    }

    private static void ScanToken(JToken token, string path, List<string> findings)
    {
        switch (token)
        {
            case JObject obj:
                foreach (var property in obj.Properties())
                {
                    var childPath = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (property.Value is JValue { Type: not JTokenType.Null } scalar && SecretName().IsMatch(property.Name))
                    {
                        var text = scalar.ToString();
                        if (text.Length > 0 && !(IsReferenceField(property.Name) && ReferenceValue().IsMatch(text)))
                        {
                            findings.Add($"{childPath}: a secret-named key holds a value; name an existing Secret and its key instead");
                            continue;
                        }
                    }

                    ScanToken(property.Value, childPath, findings);
                }

                break;
            case JArray array:
                for (var index = 0; index < array.Count; index++)
                {
                    ScanToken(array[index], $"{path}[{index}]", findings);
                }

                break;
            case JValue { Type: JTokenType.String } value when CredentialLooking().IsMatch((string)value!):
                findings.Add($"{path}: the value looks like a credential (password pair, token, key hash, or user:password in an address)");
                break;
        }
    }

    // Fields that name a Secret, a key inside one, or a KEDA TriggerAuthentication: references, not secrets.
    private static bool IsReferenceField(string name) =>
        name is "existingSecret" or "key" or "authenticationRef" || ReferenceFieldName().IsMatch(name);

    // passwordKey, connectionStringKey, keyHashKey: a camelCase values field naming a key inside a Secret. A
    // configuration key such as Platform:Connectors:erp:Authentication:Key is the secret itself.
    [GeneratedRegex("^[a-z][A-Za-z]*Key$")]
    private static partial Regex ReferenceFieldName();

    [GeneratedRegex("(?i)(password|passwd|secret|token|apikey|api_key|credential|connectionstring|privatekey|(^|[:_.])key$|keyhash|^key$)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]{1,253}$")]
    private static partial Regex ReferenceValue();

    [GeneratedRegex(@"(?i)(password=|pwd=|secret=|-----BEGIN|eyJ[A-Za-z0-9_-]{8,}\.|shpat_|AKIA[0-9A-Z]{16}|://[^/\s:@]+:[^/\s@]+@|^[^/\s:@]+:[^/\s@]+@|^[a-f0-9]{64}$)")]
    private static partial Regex CredentialLooking();

    [GeneratedRegex(@"(?m)^\s*kind:\s*Secret\s*$")]
    private static partial Regex SecretKind();
}
