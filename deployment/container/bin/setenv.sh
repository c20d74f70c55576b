# cloudpark's Restcomm SIP Servlets container: Java 17 settings and ports. catalina.sh sources this file.
# Every CONTAINER_* and CLOUDPARK_* variable may be set in the environment of catalina.sh instead.

CONTAINER_BIND="${CONTAINER_BIND:-127.0.0.1}"
CONTAINER_SIP_PORT="${CONTAINER_SIP_PORT:-5080}"
CONTAINER_HTTP_PORT="${CONTAINER_HTTP_PORT:-8080}"
CONTAINER_SHUTDOWN_PORT="${CONTAINER_SHUTDOWN_PORT:-8005}"
CONTAINER_CONCURRENCY_CONTROL_MODE="${CONTAINER_CONCURRENCY_CONTROL_MODE:-None}"

# catalina.sh stop 30 -force needs it: two of the SIP stack's threads are not daemons, so the JVM would not exit
CATALINA_PID="${CATALINA_PID:-$CATALINA_BASE/temp/catalina.pid}"

CATALINA_OPTS="$CATALINA_OPTS \
 -Dcloudpark.container.bind=$CONTAINER_BIND \
 -Dcloudpark.container.sipPort=$CONTAINER_SIP_PORT \
 -Dcloudpark.container.httpPort=$CONTAINER_HTTP_PORT \
 -Dcloudpark.container.shutdownPort=$CONTAINER_SHUTDOWN_PORT \
 -Dcloudpark.container.concurrencyControlMode=$CONTAINER_CONCURRENCY_CONTROL_MODE"

# Java 9+ restricts ImageIO's ServiceRegistry, which Restcomm otherwise uses to find the application router
CATALINA_OPTS="$CATALINA_OPTS \
 -Djavax.servlet.sip.ar.spi.SipApplicationRouterProvider=org.mobicents.servlet.sip.router.DefaultApplicationRouterProvider"

# Tomcat 7's leak prevention reflects into the JDK on stop
JAVA_OPTS="$JAVA_OPTS \
 --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
 --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
 --add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED"

CATALINA_OPTS="$CATALINA_OPTS ${CONTAINER_HEAP:--Xmx512m}"
