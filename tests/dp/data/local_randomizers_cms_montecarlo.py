# Monte Carlo check of the count-mean sketch variance (Apple 2017 estimator), hashes redrawn each trial.
import numpy as np
rng=np.random.default_rng(1)
m,k,eps,n,D=16,4,2.0,400,30
vals=rng.integers(0,D,size=n); target=0; vals[:37]=0; cnt=(vals==0).sum()
ce=(np.exp(eps/2)+1)/(np.exp(eps/2)-1); flip=1/(1+np.exp(eps/2))
est=[]
for t in range(20000):
    H=rng.integers(0,m,size=(k,D))
    j=rng.integers(0,k,size=n)
    v=-np.ones((n,m)); v[np.arange(n),H[j,vals]]=1
    v=v*np.where(rng.random((n,m))<flip,-1,1)
    x=k*(ce/2*v+0.5)
    M=np.zeros((k,m))
    np.add.at(M,(j,),x)
    f=m/(m-1)*(np.mean([M[jj,H[jj,target]] for jj in range(k)])-n/m)
    est.append(f)
est=np.array(est)
form=(m/(m-1))**2*(n*(ce*ce-1)/4+(n-cnt)*(m-1)/m**2)
print("count",cnt,"mean",est.mean(),"var",est.var(),"formula",form)
others=np.bincount(vals,minlength=D)[1:]
extra=(m/(m-1))**2*np.sum(others*(others-1))*(m-1)/(k*m*m)
print("with collision term", form+extra)
