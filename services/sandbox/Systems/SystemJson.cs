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

    /// <summary>
    /// Magento leaves out what it has no value for (e.g. <c>parameters</c> of an error), and PHP writes its floats without
    /// trailing zeros (29, not 29.00).
    /// </summary>
    public static readonly JsonSerializerOptions SnakeCaseWithoutNulls = new(SnakeCase)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new PlainDecimalConverter() },
    };

    public static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The platform-defined feeds (stock updates), which leave out a field that has no value.</summary>
    public static readonly JsonSerializerOptions CamelCaseWithoutNulls = new(CamelCase)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

internal sealed class PlainDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

    // Dividing by 1 written with the most decimal places decimal allows drops the trailing zeros and keeps the value.
    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value / 1.0000000000000000000000000000m);
}
