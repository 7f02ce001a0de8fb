# syntax=docker/dockerfile:1
# Colorizer web app. Build:  docker build -t colorizer .
# Without baking the 129 MB weights in (mount them at /models instead):
#   docker build --build-arg INCLUDE_WEIGHTS=false -t colorizer .
#   docker run -p 8080:8080 -v /path/to/models:/models colorizer

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Colorizer.Web -c Release -o /out/web \
 && dotnet publish src/Colorizer.Cli -c Release -o /out/cli

# The weights, fetched at build time from the authors' address (mirror as fallback) and checked against the
# release's size and SHA-256, so a bad download fails the build instead of the first request.
FROM debian:bookworm-slim AS weights
ARG INCLUDE_WEIGHTS=true
ARG WEIGHTS_SHA256=f5af1e602646328c792e1094f9876fe9cd4c09ac46fa886e5708a1abc89137b1
RUN mkdir -p /models && if [ "$INCLUDE_WEIGHTS" = "true" ]; then \
      apt-get update -qq && apt-get install -y -qq --no-install-recommends curl ca-certificates >/dev/null \
      && cd /models \
      && ( curl -fL --retry 3 -o colorization_release_v2.caffemodel https://people.eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel \
        || curl -fL --retry 3 -o colorization_release_v2.caffemodel "https://www.dropbox.com/s/dx0qvhhp5hbcx7z/colorization_release_v2.caffemodel?dl=1" ) \
      && echo "$WEIGHTS_SHA256  colorization_release_v2.caffemodel" | sha256sum -c - ; \
    fi

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# libgtk-3-0: OpenCV's native runtime links it; ffmpeg: keeps audio when colorizing videos; curl: the health check.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends libgtk-3-0 ffmpeg curl >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin colorizer
WORKDIR /app
COPY --from=build /out/web /app/web
COPY --from=build /out/cli /app/cli
COPY --from=weights --chown=colorizer /models /models
# The web app sets OpenCV's decoder limits (from Colorizer__MaxPixels / Colorizer__MaxSide; the CLI from the engine's
# defaults) and glibc's arena cap itself at start, so nothing here needs to.
# ASPNETCORE_TEMP puts ASP.NET's buffers of large uploads in the app's temp folder, whose crash leftovers it sweeps.
ENV COLORIZER_MODELS=/models \
    ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_TEMP=/tmp/colorizer-web
USER colorizer
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD curl -fsS http://localhost:8080/health || exit 1
ENTRYPOINT ["dotnet", "/app/web/Colorizer.Web.dll"]
