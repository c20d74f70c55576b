package io.cloudpark.app;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;

import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;

import org.apache.log4j.Logger;

import io.cloudpark.container.NonReportingStatsReporter;

/** Starts cloudpark with its context and stops it with the context (web.xml listener). */
public final class AppLifecycle implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(AppLifecycle.class);

    @Override
    public void contextInitialized(ServletContextEvent event) {
        NonReportingStatsReporter.replaceInRunningContainer();
        event.getServletContext().setAttribute(CloudparkApp.ATTRIBUTE, CloudparkApp.start(
                Config.from(event.getServletContext()::getInitParameter)));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object app = event.getServletContext().getAttribute(CloudparkApp.ATTRIBUTE);
        if (app instanceof CloudparkApp running) {
            running.stop();
            event.getServletContext().removeAttribute(CloudparkApp.ATTRIBUTE);
        }
        deregisterDriversOf(event.getServletContext().getClassLoader());
    }

    /**
     * The JDBC drivers in WEB-INF/lib register themselves with the JVM-wide DriverManager: left there, they pin this
     * deployment's class loader after an undeploy. Drivers the container or the launcher loaded are not ours to touch.
     */
    private static void deregisterDriversOf(ClassLoader webapp) {
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == webapp) {
                try {
                    DriverManager.deregisterDriver(driver);
                    LOG.info("JDBC driver deregistered: " + driver.getClass().getName());
                } catch (SQLException e) {
                    LOG.warn("cannot deregister JDBC driver " + driver.getClass().getName() + ": " + e.getMessage());
                }
            }
        }
    }
}
