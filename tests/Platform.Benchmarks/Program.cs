using System.CommandLine;
using Platform.Benchmarks;

var events = new Option<int>("--events") { Description = "Events per run.", DefaultValueFactory = _ => 100_000 };
var partitions = new Option<int>("--partitions") { Description = "Partitions of the benchmark topics.", DefaultValueFactory = _ => 8 };
var root = new RootCommand("Events/s through the bus port and through raw Confluent.Kafka, on one librdkafka mock cluster.") { events, partitions };
root.SetAction(async (parse, cancellationToken) =>
{
    var settings = new BusBenchmarkSettings(parse.GetValue(events), parse.GetValue(partitions));
    await BusBenchmark.RunAsync(settings, Console.Out, cancellationToken);
    return 0;
});
return await root.Parse(args).InvokeAsync();
