using Platform.Hosting;
using Platform.Sandbox;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformDefaults("sandbox");
builder.AddSandbox();

var app = builder.Build();
app.MapPlatformDefaults();
app.MapSandbox().RequireScope(PlatformScopes.Admin("sandbox"));

app.Run();
