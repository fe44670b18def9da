using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Platform.Connectors.Tests.Infrastructure;

// Keeps everything any logger would write: the formatted message, every structured value and the
// exception with its stack, so a test can prove a secret appears in none of them.
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Entries.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={Render(p.Value)}"))
                : "";
            owner.Entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {exception}");
        }

        // Header values arrive as string arrays; render their elements, not the array's type name.
        private static string? Render(object? value) => value is System.Collections.IEnumerable items and not string
            ? string.Join(",", items.Cast<object?>())
            : value?.ToString();
    }
}
