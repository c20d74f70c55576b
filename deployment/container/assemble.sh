#!/usr/bin/env bash
# Assembles a stock Restcomm SIP Servlets 3.2.0-37 container on Tomcat 7.0.64 from Maven Central, ready for
# cloudpark.war:  deployment/container/assemble.sh [CATALINA_HOME]   (default: target/restcomm-container)
#
# Environment: CONTAINER_ADMIN_USER (default admin) and CONTAINER_ADMIN_PASSWORD (default: a random one, written
# only to conf/tomcat-users.xml) for Tomcat Manager, jmxproxy and Jolokia. Needs JDK 17 (jar), Maven and perl,
# and target/cloudpark-container-support.jar from 'mvn -DskipTests package'.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
home="${1:-$repo/target/restcomm-container}"
mkdir -p "$(dirname "$home")"
home="$(cd "$(dirname "$home")" && pwd)/$(basename "$home")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

if [ -e "$home" ]; then
    echo "assemble: $home exists; remove it first" >&2
    exit 1
fi

# 1. Tomcat 7.0.64, Restcomm's jars and Jolokia, all from Maven Central
mvn -B -q -f "$here/pom.xml" package -Dcontainer.stage="$stage" >&2
mv "$stage/apache-tomcat-7.0.64" "$home"
cp "$stage"/lib/*.jar "$home/lib/"
support="$repo/target/cloudpark-container-support.jar"
if [ ! -f "$support" ]; then
    echo "assemble: $support is missing: run 'mvn -DskipTests package' first" >&2
    exit 1
fi
cp "$support" "$home/lib/"
chmod +x "$home"/bin/*.sh
# the examples and docs are not for production, ROOT and host-manager are not needed
rm -rf "$home"/webapps/{docs,examples,ROOT,host-manager}

# 2. Java 17 refuses -Djava.endorsed.dirs, which catalina.sh of 7.0.64 always passes
sed -i -E 's/-Djava\.endorsed\.dirs="(\\")?\$JAVA_ENDORSED_DIRS(\\")?"//' "$home/bin/catalina.sh"
if grep -q 'java.endorsed.dirs=' "$home/bin/catalina.sh"; then
    echo "assemble: could not remove -Djava.endorsed.dirs from catalina.sh" >&2
    exit 1
fi

# 3. configuration: Restcomm's server.xml shape, the DAR and SIP stack cloudpark is tested with, Java 17 settings
cp "$here/conf/server.xml" "$home/conf/server.xml"
mkdir -p "$home/conf/dars"
cp "$repo/deployment/standalone/dar.properties" "$home/conf/dars/mobicents-dar.properties"
# the stack's threads are the container's: named for it, not for the application
sed 's/^javax.sip.STACK_NAME=.*/javax.sip.STACK_NAME=Sip-Servlets/' "$repo/deployment/standalone/sip-stack.properties" \
    > "$home/conf/mss-sip-stack.properties"
cat "$here/conf/catalina.properties.append" >> "$home/conf/catalina.properties"
cp "$here/conf/log4j.properties" "$home/lib/log4j.properties"
cp "$here/bin/setenv.sh" "$home/bin/setenv.sh"
chmod +x "$home/bin/setenv.sh"

# 4. who may use Tomcat Manager (deploy), jmxproxy and Jolokia
user="${CONTAINER_ADMIN_USER:-admin}"
password="${CONTAINER_ADMIN_PASSWORD:-}"
generated=""
if [ -z "$password" ]; then
    password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    generated=" (password generated: read it there)"
fi
xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' <<<"$1"; }
cat > "$home/conf/tomcat-users.xml" <<USERS
<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users>
  <role rolename="manager-script"/>
  <role rolename="manager-jmx"/>
  <role rolename="jolokia"/>
  <user username="$(xml_escape "$user")" password="$(xml_escape "$password")" roles="manager-script,manager-jmx,jolokia"/>
</tomcat-users>
USERS
chmod 600 "$home/conf/tomcat-users.xml"

# 5. Jolokia behind BASIC auth (its web.xml), with cloudpark's access policy and no stack traces in answers
jolokia="$stage/jolokia"
mkdir -p "$jolokia/WEB-INF/classes"
(cd "$jolokia" && jar xf "$stage/wars/jolokia.war" WEB-INF/web.xml)
perl -0pi -e 's{(<param-name>includeStackTrace</param-name>\s*<param-value>)true(</param-value>)}{${1}false${2}} or die "assemble: includeStackTrace not found in Jolokia web.xml\n"' \
    "$jolokia/WEB-INF/web.xml"
cp "$here/conf/jolokia-access.xml" "$jolokia/WEB-INF/classes/jolokia-access.xml"
cp "$stage/wars/jolokia.war" "$home/webapps/jolokia.war"
(cd "$jolokia" && jar uf "$home/webapps/jolokia.war" WEB-INF/web.xml WEB-INF/classes/jolokia-access.xml)

echo "assembled $home: Tomcat Manager, jmxproxy and Jolokia user '$user' in conf/tomcat-users.xml$generated" >&2
echo "start: $home/bin/catalina.sh start    stop: $home/bin/catalina.sh stop 30 -force" >&2
