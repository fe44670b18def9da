using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Platform.Ctl.Output;

/// <summary>
/// --json documents: protobuf messages in their canonical JSON mapping (field names in lowerCamelCase, enums by
/// name, 64-bit integers as strings, bytes as base64), zero values included so a script never meets a missing key.
/// </summary>
public static class JsonOutput
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonNode Message(IMessage message) => JsonNode.Parse(Formatter.Format(message))!;

    public static string Indent(JsonNode document) => document.ToJsonString(Indented);

    public static void Write(TextWriter output, JsonNode document)
    {
        output.WriteLine(Indent(document));
        output.Flush();
    }
}
