using System.CommandLine;
using Platform.Ctl.Clients;

namespace Platform.Ctl.Commands;

public static class ServiceOption
{
    public static Option<string?> Create(bool required, string description)
    {
        var option = new Option<string?>("--service", "-s")
        {
            Description = description + " One of " + string.Join(", ", PlatformServices.All) + ".",
            HelpName = "name",
            Required = required,
        };
        option.AcceptOnlyFromAmong([.. PlatformServices.All]);
        return option;
    }
}
