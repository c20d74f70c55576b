package io.cloudpark.testing.arquillian;

import org.jboss.arquillian.container.spi.ConfigurationException;
import org.jboss.arquillian.container.spi.client.container.ContainerConfiguration;

/** arquillian.xml settings of the embedded Restcomm container used by the integration tests. */
public class EmbeddedRestcommConfiguration implements ContainerConfiguration {
    private String bindAddress = "127.0.0.1";
    private int sipPort = 15060;
    private int httpPort = 18080;
    private String baseDir = "target/arquillian-container";
    private String confDir = "deployment/standalone";

    @Override
    public void validate() throws ConfigurationException {
        if (sipPort <= 0 || httpPort <= 0) {
            throw new ConfigurationException("sipPort and httpPort must be > 0");
        }
    }

    public String getBindAddress() { return bindAddress; }
    public void setBindAddress(String value) { bindAddress = value; }
    public int getSipPort() { return sipPort; }
    public void setSipPort(int value) { sipPort = value; }
    public int getHttpPort() { return httpPort; }
    public void setHttpPort(int value) { httpPort = value; }
    public String getBaseDir() { return baseDir; }
    public void setBaseDir(String value) { baseDir = value; }
    public String getConfDir() { return confDir; }
    public void setConfDir(String value) { confDir = value; }
}
