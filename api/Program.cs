using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;

if (await Csp.Api.Health.ProbeCommand.RunAsync(args) is { } probed) return probed;

var builder = WebApplication.CreateBuilder(args);

builder.AddCspDatabase();
builder.AddCspApi();

var app = builder.Build();

if (OperatorCommands.Run(app, args) is { } exitCode) return exitCode;

app.PrepareDatabase();
app.UseCspApi();
app.MapCspApi();

app.Run();
return 0;
