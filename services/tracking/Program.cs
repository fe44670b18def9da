using Platform.Hosting;
using Platform.Tracking;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformDefaults(TrackingService.Name);
builder.AddTrackingService();

var app = builder.Build();
app.MapPlatformDefaults();
app.MapTrackingService();

app.Run();
