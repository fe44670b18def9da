using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Platform.Hosting.Tests;

/// <summary>
/// Runs log entries through a console formatter into memory. The console provider writes to the process-wide
/// standard output, which parallel tests would interleave, so tests drive the same formatter into their own buffer.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConsoleFormatter _formatter;
    private readonly StringWriter _output = new();
    private readonly Lock _gate = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public LogCapture(ConsoleFormatter? formatter = null) =>
        _formatter = formatter ?? new PlatformJsonConsoleFormatter(new FixedOptionsMonitor<PlatformJsonConsoleFormatterOptions>(new()), new PlatformService(TestApp.ServiceName));

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public IReadOnlyList<JsonElement> Lines => Text
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => JsonDocument.Parse(line).RootElement.Clone())
        .ToList();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _output.Dispose();

    private void Write<TState>(in LogEntry<TState> entry)
    {
        lock (_gate)
        {
            _formatter.Write(entry, _scopes, _output);
        }
    }

    private sealed class CapturingLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
    }
}

public sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
