using System.Diagnostics;

namespace Platform.State.Tests;

internal static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#}s waiting until {what}.");
            }

            await Task.Delay(25);
        }
    }
}
