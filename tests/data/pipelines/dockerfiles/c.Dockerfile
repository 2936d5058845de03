FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev
WORKDIR /src
COPY <<EOF main.c
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
EOF
RUN <<EOT bash
  set -e
  # FROM fake AS inside-heredoc
FROM notastage AS nope
  gcc -O2 -o /out/hello main.c
EOT
RUN cat <<-END > /etc/motd
		hello from the build
	END

FROM build AS test
RUN /out/hello | grep -q hello

FROM scratch AS runtime
COPY --from=0 /out/hello /hello
ENTRYPOINT ["/hello"]
