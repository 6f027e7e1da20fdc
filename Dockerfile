# Multi-stage: build and publish with the SDK, run on the ASP.NET runtime as a non-root user.
# Checked statically in CI (dockerfile-utils lint; tests/…/Deployment/ContainerTests): no Docker engine runs there.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json ./
COPY api/Csp.Api.csproj api/
RUN dotnet restore api/Csp.Api.csproj
COPY api/ api/
COPY db/ db/
COPY openapi/ openapi/
RUN dotnet publish api/Csp.Api.csproj -c Release -o /app --no-restore -p:OpenApiGenerateDocuments=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's built-in unprivileged user; the SQLite default lives in a folder it owns.
RUN mkdir -p /app/data && chown -R "$APP_UID" /app/data
USER $APP_UID
# A missing database is refused outside Development: create it once with `migrate` (or Database__CreateIfMissing=true).
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__Csp="Data Source=/app/data/csp.db"
EXPOSE 8080
VOLUME ["/app/data"]
# Ready means the database is the one started on, takes a write and is migrated (GET /health/ready); the runtime image has
# no curl, so the service's own `probe` command makes the request.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["dotnet", "/app/Csp.Api.dll", "probe", "http://127.0.0.1:8080/health/ready"]
ENTRYPOINT ["dotnet", "Csp.Api.dll"]
