# escape=`

FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build
RUN dir c:\ `
    && echo done
COPY app\ C:\app\

FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS runtime
COPY --from=build C:\app C:\app
