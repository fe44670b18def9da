using System.ComponentModel.DataAnnotations;

namespace Platform.Messaging;

/// <summary>
/// How a consumer group treats a handler that fails: a few quick retries in place, then rounds through the group's
/// delayed retry topic (so one stuck event does not hold its partition), then the group's dead-letter topic.
/// </summary>
public sealed class ConsumerFailurePolicy
{
    [Range(0, 20)]
    public int InPlaceRetries { get; set; } = 3;

    public TimeSpan InPlaceInitialDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan InPlaceMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Rounds through the retry topic after in-place retries are spent; 0 dead-letters at once.</summary>
    [Range(0, 20)]
    public int RetryTopicRounds { get; set; } = 3;

    /// <summary>Delay before the first retry-topic round; doubles each round up to <see cref="RetryTopicMaxDelay"/>.</summary>
    public TimeSpan RetryTopicDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryTopicMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DelayForRound(int round)
    {
        var factor = Math.Pow(2, Math.Max(0, round - 1));
        var delay = TimeSpan.FromMilliseconds(RetryTopicDelay.TotalMilliseconds * factor);
        return delay > RetryTopicMaxDelay ? RetryTopicMaxDelay : delay;
    }
}

public static class ConsumerTopics
{
    public static string RetryTopic(string consumerGroup) => consumerGroup + ".retry";

    public static string DeadLetterTopic(string consumerGroup) => consumerGroup + ".dlq";
}
