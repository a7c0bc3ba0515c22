from alpine:3.20
run <<EOF
  set -eu
  apk add --no-cache   nginx
EOF
copy <<-CONF /etc/nginx/http.d/default.conf
	server { listen 80; root /srv; }
	CONF
cmd ["nginx","-g","daemon off;"]
