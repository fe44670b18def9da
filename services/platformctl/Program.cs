using Platform.Ctl;
using Platform.Ctl.Output;

return await CtlCommandLine.RunAsync(args, CtlTerminal.FromProcess());
