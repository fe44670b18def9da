using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Sandbox.Systems;

/// <summary>
/// Serializer settings of the simulated APIs. The real systems do not escape characters such as ' or + in JSON
/// strings (System.Text.Json does by default), and tests compare bodies with the documented samples.
/// </summary>
internal static class SystemJson
{
    public static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Magento leaves out what it has no value for (e.g. <c>parameters</c> of an error).</summary>
    public static readonly JsonSerializerOptions SnakeCaseWithoutNulls = new(SnakeCase)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
