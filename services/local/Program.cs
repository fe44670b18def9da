using Platform.Local;

return await LocalCommandLine.Build().Parse(args).InvokeAsync();
