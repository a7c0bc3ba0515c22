# escape=`
from mcr.microsoft.com/windows/servercore:ltsc2022
shell ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
run Invoke-WebRequest -OutFile app.zip https://example.com/app.zip ; `
      Expand-Archive app.zip -DestinationPath C:\app ; `
      Remove-Item app.zip
cmd ["C:\\app\\app.exe"]
