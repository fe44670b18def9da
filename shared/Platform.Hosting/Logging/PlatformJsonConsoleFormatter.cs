using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

public sealed class PlatformJsonConsoleFormatterOptions : ConsoleFormatterOptions
{
    public PlatformJsonConsoleFormatterOptions()
    {
        IncludeScopes = true;
        UseUtcTimestamp = true;
    }
}

/// <summary>
/// One JSON object per line, with secrets and personal data removed before anything is written: state values whose
/// names look sensitive become "[redacted]", and e-mail addresses, bearer tokens and inline credentials are masked in
/// every rendered message, scope and exception. The framework's JSON formatter cannot do this: it writes the message
/// the logger already rendered from raw values.
/// </summary>
public sealed class PlatformJsonConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "platform-json";

    private const string OriginalFormatKey = "{OriginalFormat}";
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // Log lines are read by people and log pipelines, never embedded in HTML: keep quotes and accents readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly IDisposable? _optionsReloadToken;
    private readonly string? _serviceName;
    private PlatformJsonConsoleFormatterOptions _options;

    public PlatformJsonConsoleFormatter(IOptionsMonitor<PlatformJsonConsoleFormatterOptions> options, PlatformService? service = null)
        : base(FormatterName)
    {
        _options = options.CurrentValue;
        _optionsReloadToken = options.OnChange(updated => _options = updated);
        _serviceName = service?.Name;
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var options = _options;
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            var now = options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            writer.WriteString("timestamp", options.TimestampFormat is { } format
                ? now.ToString(format, CultureInfo.InvariantCulture)
                : now.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("level", LevelName(logEntry.LogLevel));
            if (_serviceName is not null)
            {
                writer.WriteString("service", _serviceName);
            }

            writer.WriteString("category", logEntry.Category);
            if (logEntry.EventId.Id != 0 || logEntry.EventId.Name is not null)
            {
                writer.WriteNumber("eventId", logEntry.EventId.Id);
                if (logEntry.EventId.Name is { } eventName)
                {
                    writer.WriteString("eventName", eventName);
                }
            }

            var (message, properties) = Redact(logEntry.State, logEntry.Exception, logEntry.Formatter);
            writer.WriteString("message", message);

            if (logEntry.Exception is { } exception)
            {
                writer.WriteString("exception", SensitiveData.MaskText(exception.ToString()));
            }

            if (properties.Count > 0)
            {
                writer.WriteStartObject("state");
                foreach (var (key, value) in properties)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, value);
                }

                writer.WriteEndObject();
            }

            if (options.IncludeScopes && scopeProvider is not null)
            {
                WriteScopes(writer, scopeProvider);
            }

            writer.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write(Environment.NewLine);
    }

    public void Dispose() => _optionsReloadToken?.Dispose();

    internal static (string Message, List<KeyValuePair<string, object?>> Properties) Redact<TState>(
        TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = new List<KeyValuePair<string, object?>>();
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            string? template = null;
            foreach (var (key, value) in values)
            {
                if (key == OriginalFormatKey)
                {
                    template = value as string;
                    continue;
                }

                properties.Add(new(key, RedactStructured(key, value)));
            }

            if (template is not null)
            {
                return (SensitiveData.MaskText(LogTemplate.Parse(template).Render(properties)), properties);
            }

            // A structured state without a template (e.g. a hand-made list): never trust its own rendering.
            return (SensitiveData.MaskText(string.Join(", ", properties.Select(pair => $"{pair.Key}={FormatForText(pair.Value)}"))), properties);
        }

        return (SensitiveData.MaskText(formatter(state, exception)), properties);
    }

    private static object? RedactStructured(string key, object? value)
    {
        if (value is IEnumerable items and not string && value is not IDictionary)
        {
            if (SensitiveData.IsSensitiveName(key))
            {
                return SensitiveData.Redacted;
            }

            return items.Cast<object?>().Select(item => SensitiveData.RedactValue(null, item)).ToList();
        }

        return SensitiveData.RedactValue(key, value);
    }

    private static string FormatForText(object? value) => value switch
    {
        null => "(null)",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items and not string => string.Join(", ", items.Cast<object?>().Select(FormatForText)),
        _ => value.ToString() ?? "",
    };

    private static void WriteScopes(Utf8JsonWriter writer, IExternalScopeProvider scopeProvider)
    {
        var started = false;
        scopeProvider.ForEachScope((scope, jsonWriter) =>
        {
            if (scope is null)
            {
                return;
            }

            if (!started)
            {
                jsonWriter.WriteStartArray("scopes");
                started = true;
            }

            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                var list = pairs as IReadOnlyList<KeyValuePair<string, object?>> ?? pairs.ToList();
                var (message, properties) = Redact(list, null, static (_, _) => "");
                jsonWriter.WriteStartObject();
                if (list.Any(pair => pair.Key == OriginalFormatKey))
                {
                    jsonWriter.WriteString("message", message);
                }

                foreach (var (key, value) in properties)
                {
                    jsonWriter.WritePropertyName(key);
                    WriteValue(jsonWriter, value);
                }

                jsonWriter.WriteEndObject();
            }
            else
            {
                jsonWriter.WriteStringValue(SensitiveData.MaskText(Convert.ToString(scope, CultureInfo.InvariantCulture)));
            }
        }, writer);

        if (started)
        {
            writer.WriteEndArray();
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case byte or sbyte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong unsigned:
                writer.WriteNumberValue(unsigned);
                break;
            case float or double when double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)):
                writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case IFormattable formattable:
                writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(SensitiveData.MaskText(value.ToString()));
                break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => "None",
    };
}
